namespace ActorVip.Lab.Simulation;

/// <summary>A named fault scenario: from an owned VIP, inject, heal, recover; it needs at least <paramref name="MinNodes"/> nodes.</summary>
public sealed record Scenario(string Name, string Description, Func<ScenarioContext, Task> Run, int MinNodes = 3);

/// <summary>
/// The scenarios of `actorvip-lab simulate` and of the simulation tests. Each starts from a settled cluster
/// whose VIP is held, injects its fault, heals, and waits until every node is back and some node holds the VIP.
/// </summary>
public static class Scenarios
{
    public static readonly IReadOnlyList<Scenario> All =
    [
        new("owner-crash", "the owner crashes (cut off, killed without leaving); another node takes over", OwnerCrash),
        new("allocator-crash", "the allocator's node crashes while the owner lives; the VIP must not blink (or, if the allocator moves to the owner, " +
            "is handed over gracefully)", AllocatorCrash),
        new("graceful-leave", "the owner stops gracefully (releases, then leaves); the successor acquires at once", GracefulLeave),
        new("owner-minority", "the owner is cut off in a minority; the majority takes over", OwnerMinority),
        new("allocator-isolated", "the allocator is cut off alone, the owner stays in the majority; the VIP must not blink (or, if the allocator moves to " +
            "the owner, is handed over gracefully)", AllocatorIsolated),
        new("rack-crash", "the owner and the allocator's node crash together (one rack; 5 nodes or more); the others place the VIP within a second",
            RackCrash, MinNodes: 5),
        new("rack-isolated", "the owner and the allocator's node are cut off together in a minority (5 nodes or more); the majority places the VIP " +
            "within a second", RackIsolated, MinNodes: 5),
        new("asymmetric", "messages from the owner to the allocator are lost, the other direction works", Asymmetric),
        new("owner-freeze", "the owner's actors freeze for longer than the lease, then wake", OwnerFreeze),
        new("rolling-restart", "every node in turn leaves gracefully, restarts and rejoins", RollingRestart),
        new("random", "seeded random faults (crash, leave, partition, one-way loss, freeze), a few per round, healed after each round", RandomFaults),
    ];

    public static Scenario? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    private static Task OwnerCrash(ScenarioContext ctx) => OwnerGoes(ctx, ctx.Cluster.CrashAsync);

    private static Task GracefulLeave(ScenarioContext ctx) => OwnerGoes(ctx, ctx.Cluster.LeaveAsync);

    /// <summary>The owner goes away (<paramref name="fault"/>); another node must take over.</summary>
    private static async Task OwnerGoes(ScenarioContext ctx, Func<SimulatedNode, Task> fault)
    {
        var c = ctx.Cluster;
        var owner = await c.WaitForOwnerAsync(ctx.Bound);
        ctx.FaultPoint($"{owner.Name} holds the VIP");
        await fault(owner);
        await c.WaitForOwnerAsync(ctx.Bound, n => n != owner);
        await HealAndRecover(ctx);
    }

    private static Task AllocatorCrash(ScenarioContext ctx) => AllocatorGoes(ctx, ctx.Cluster.CrashAsync, throughHeal: true);

    // Through the partition only: after the heal, the restarted node and the peer that downed it were seen to lose each
    // other (Akka, same address, new incarnation) and the split-brain resolver downed both, the owner among them.
    private static Task AllocatorIsolated(ScenarioContext ctx) => AllocatorGoes(ctx, a => ctx.Cluster.PartitionAsync([a]), throughHeal: false);

    /// <summary>How long a planned handover may leave the VIP dark: the promise's one second.</summary>
    private static readonly TimeSpan MaxHandoverGap = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The allocator's node goes away (<paramref name="fault"/>) while the owner lives: the allocator moves, and the VIP
    /// stays, unless the allocator moved to the owner's own node, which then hands the VIP over gracefully.
    /// </summary>
    private static async Task AllocatorGoes(ScenarioContext ctx, Func<SimulatedNode, Task> fault, bool throughHeal)
    {
        var c = ctx.Cluster;
        var (owner, allocator) = await OwnerApartFromAllocator(ctx);
        ctx.FaultPoint($"{owner.Name} holds the VIP, {allocator.Name} runs the allocator");
        ctx.ExpectNoBlink(owner);
        await fault(allocator);
        var next = await c.WaitForAllocatorAsync(ctx.Bound, n => n != allocator);
        if (next == owner)
        {
            // The allocator moved to the owner's node, which now gives the VIP away (Placement: one crash must not take
            // both the owner and the allocator): a planned handover, dark for far less than a failover.
            ctx.ExpectHandoverInstead(owner, MaxHandoverGap);
            await c.WaitForOwnerAsync(ctx.Bound, n => n != owner);
        }
        if (!throughHeal) ctx.EndNoBlink();
        await HealAndRecover(ctx);
    }

    private static Task RackCrash(ScenarioContext ctx) => RackGoes(ctx, async rack =>
    {
        foreach (var node in rack) await ctx.Cluster.CrashAsync(node);
    });

    private static Task RackIsolated(ScenarioContext ctx) => RackGoes(ctx, rack => ctx.Cluster.PartitionAsync(rack));

    /// <summary>
    /// The owner and the allocator's node go away together (<paramref name="fault"/>): no allocator is left to place the
    /// VIP until Akka's membership moves the singleton, seconds later; the nodes' deputies must place it within a second.
    /// </summary>
    private static async Task RackGoes(ScenarioContext ctx, Func<IReadOnlyList<SimulatedNode>, Task> fault)
    {
        var c = ctx.Cluster;
        if (c.Nodes.Count - 2 < c.Lease.Majority)
            throw new InvalidOperationException($"losing two of {c.Nodes.Count} nodes leaves no majority of voters: run this scenario with 5 nodes or more");
        var (owner, allocator) = await OwnerApartFromAllocator(ctx);
        ctx.FaultPoint($"{owner.Name} holds the VIP, {allocator.Name} runs the allocator");
        ctx.ExpectTakeover(owner, MaxHandoverGap);
        await fault([owner, allocator]);
        await c.WaitForOwnerAsync(ctx.Bound, n => n != owner && n != allocator);
        await Task.Delay(ctx.Dwell);
        await HealAndRecover(ctx);
    }

    private static async Task OwnerMinority(ScenarioContext ctx)
    {
        var c = ctx.Cluster;
        var owner = await c.WaitForOwnerAsync(ctx.Bound);
        var others = c.Nodes.Where(n => n != owner).OrderBy(_ => ctx.Random.Next()).ToList();
        var minority = others.Take(c.Nodes.Count / 2 - 1).Append(owner).ToList();
        ctx.FaultPoint($"{owner.Name} holds the VIP; minority [{string.Join(",", minority.Select(n => n.Name))}]");
        await c.PartitionAsync(minority);
        await c.WaitForOwnerAsync(ctx.Bound, n => !minority.Contains(n));
        await Task.Delay(ctx.Dwell);
        await HealAndRecover(ctx);
    }

    private static async Task Asymmetric(ScenarioContext ctx)
    {
        var c = ctx.Cluster;
        var (owner, allocator) = await OwnerApartFromAllocator(ctx);
        ctx.FaultPoint($"{owner.Name} holds the VIP, {allocator.Name} runs the allocator");
        await c.DropAsync(owner, allocator);
        // Long enough for the failure detector and the split-brain resolver to act on the one-sided view.
        await Task.Delay(ctx.Dwell * 3);
        await HealAndRecover(ctx);
    }

    private static async Task OwnerFreeze(ScenarioContext ctx)
    {
        var c = ctx.Cluster;
        var owner = await c.WaitForOwnerAsync(ctx.Bound);
        ctx.FaultPoint($"{owner.Name} holds the VIP");
        var freeze = c.Lease.PromiseTime * 3;
        await c.FreezeAsync(owner, freeze);
        await c.WaitForOwnerAsync(ctx.Bound);
        await HealAndRecover(ctx);
    }

    private static async Task RollingRestart(ScenarioContext ctx)
    {
        var c = ctx.Cluster;
        var owner = await c.WaitForOwnerAsync(ctx.Bound);
        ctx.FaultPoint($"{owner.Name} holds the VIP");
        await c.RollingRestartAsync(ctx.Bound);
        await HealAndRecover(ctx);
    }

    private static async Task RandomFaults(ScenarioContext ctx)
    {
        var c = ctx.Cluster;
        var rng = ctx.Random;
        for (var round = 1; round <= ctx.Rounds; round++)
        {
            var owner = await c.WaitForOwnerAsync(ctx.Bound);
            ctx.FaultPoint($"round {round}: {owner.Name} holds the VIP");
            var freezes = new List<Task>();
            var faults = rng.Next(1, 4);
            for (var f = 0; f < faults; f++)
            {
                var running = c.Nodes.Where(n => n.IsRunning).ToList();
                if (running.Count == 0) break;
                // The owner is the interesting target: favour it.
                var target = rng.Next(2) == 0 && running.Contains(owner) ? owner : running[rng.Next(running.Count)];
                switch (rng.Next(5))
                {
                    case 0:
                        await c.CrashAsync(target);
                        break;
                    case 1:
                        await c.LeaveAsync(target);
                        break;
                    case 2:
                        var side = c.Nodes.Where(n => n == target || rng.Next(3) == 0).ToList();
                        if (side.Count < c.Nodes.Count) await c.PartitionAsync(side);
                        break;
                    case 3:
                        var peers = running.Where(n => n != target).ToList();
                        if (peers.Count > 0)
                        {
                            var peer = peers[rng.Next(peers.Count)];
                            if (rng.Next(2) == 0) await c.DropAsync(target, peer);
                            else await c.DropAsync(peer, target);
                        }
                        break;
                    default:
                        freezes.Add(c.FreezeAsync(target, TimeSpan.FromMilliseconds(rng.Next(100, 3000))));
                        break;
                }
                await Task.Delay(rng.Next(0, 1500));
            }
            await Task.Delay(rng.Next(500, 3000));
            await Task.WhenAll(freezes);
            await HealAndRecover(ctx);
        }
    }

    /// <summary>
    /// The owner once it is not the allocator's node, and the allocator. At start the allocator may place the VIP on its own
    /// node while no other is Up yet and moves it once one is (a graceful hand-over), so the first holder may be the
    /// allocator's node for a moment; a scenario that took that moment for the steady state failed at random. Waiting for
    /// the hand-over keeps the rule tested: without it no other node holds the VIP within the bound.
    /// </summary>
    private static async Task<(SimulatedNode Owner, SimulatedNode Allocator)> OwnerApartFromAllocator(ScenarioContext ctx)
    {
        var allocator = await ctx.Cluster.WaitForAllocatorAsync(ctx.Bound);
        var owner = await ctx.Cluster.WaitForOwnerAsync(ctx.Bound, n => n != allocator);
        return (owner, allocator);
    }

    private static async Task HealAndRecover(ScenarioContext ctx)
    {
        await ctx.Cluster.HealAsync();
        await ctx.Cluster.WaitForRecoveryAsync(ctx.Bound);
    }
}
