using ActorVip.Messages.Ownership;
using ActorVip.Ownership;

namespace ActorVip.Tests.Ownership.Simulation;

/// <summary>
/// A deterministic, seeded model of N nodes, each with a <see cref="VoterState"/> and, while placed, an
/// <see cref="OwnerLease"/>, exchanging Renew / answer / Release / placement messages over a faulty network, with
/// per-node monotonic clocks that drift. A node HOLDS the VIP at a real instant iff it is up and its lease
/// IsValid(local now) - the fence's view, true even while the process is frozen. The run records the first
/// instant at which two nodes hold, and when the placed node holds again for good after the faults stop.
/// </summary>
internal sealed class OwnershipSimulation
{
    private const string Vip = "192.0.2.100";
    private const int Allocator = -1;
    private const int RebroadcastMs = 100;

    private readonly SimulationOptions _o;
    private readonly Random _rng;
    private readonly int _seed;
    private readonly SimNode[] _nodes;
    private readonly NodeId[] _voters;
    private readonly PriorityQueue<Message, (int, long)> _network = new();
    private readonly bool[,] _cut;
    private readonly double _loss;
    private long _sent;
    private long _epoch;
    private int? _placed;
    private int _crashes, _partitions, _placementChanges, _claims;

    private OwnershipSimulation(int seed, SimulationOptions o)
    {
        _o = o;
        _seed = seed;
        _rng = new Random(seed);
        _voters = Enumerable.Range(0, o.Nodes).Select(i => new NodeId($"akka.tcp://actorvip@192.0.2.{11 + i}:4053")).ToArray();
        _nodes = Enumerable.Range(0, o.Nodes).Select(i => new SimNode(i,
            // Rates at the edges of the drift bound: the worst case for the margin.
            rate: 1 + (_rng.Next(2) == 0 ? -1 : 1) * o.ClockDrift,
            offsetMs: _rng.Next(0, 100_000),
            o.Settings)).ToArray();
        _cut = new bool[o.Nodes, o.Nodes];
        _loss = _rng.NextDouble() * o.MaxLoss;
    }

    public static SimulationResult Run(int seed, SimulationOptions options, Action<string>? trace = null) =>
        new OwnershipSimulation(seed, options) { _trace = trace }.Run();

    private Action<string>? _trace;

    private SimulationResult Run()
    {
        int? firstOverlap = null, recoveredAt = null;
        string? overlapNodes = null;
        int held = 0, acquisitions = 0;
        int? lastHolder = null;
        int? closestHandover = null;
        var lastHeld = Enumerable.Repeat(int.MinValue / 2, _o.Nodes).ToArray();
        var holders = new List<SimNode>(_o.Nodes);
        for (var t = 0; t < _o.Steps; t++)
        {
            var calm = t >= _o.CalmFrom;
            if (t == _o.CalmFrom)
                Heal(t);
            else if (!calm)
                InjectFaults(t);
            if (t % RebroadcastMs == 0)
                BroadcastPlacement(t);
            foreach (var node in _nodes)
                node.RestartIfDue(t);
            Deliver(t);
            foreach (var node in _nodes)
                Tick(node, t);

            holders.Clear();
            foreach (var node in _nodes)
            {
                if (node.Holds(t))
                    holders.Add(node);
            }
            if (holders.Count > 1 && firstOverlap is null)
            {
                firstOverlap = t;
                overlapNodes = string.Join(", ", holders.Select(h => $"node {h.Index} epoch {h.HeldEpoch(t)}"));
            }
            if (holders.Count > 0)
                held++;
            foreach (var h in holders)
            {
                if (lastHeld[h.Index] != t - 1)
                {
                    // A node starting to hold: how long ago did any other node last hold?
                    var others = int.MinValue;
                    for (var i = 0; i < lastHeld.Length; i++)
                        others = i == h.Index ? others : Math.Max(others, lastHeld[i]);
                    if (others >= 0)
                    {
                        closestHandover = Math.Min(closestHandover ?? int.MaxValue, t - others);
                        _trace?.Invoke($"{t,5} HANDOVER to {h.Index} after {t - others} ms");
                    }
                }
                lastHeld[h.Index] = t;
            }
            var holder = holders.Count == 1 ? holders[0].Index : (int?)null;
            if (holder is not null && holder != lastHolder)
                acquisitions++;
            lastHolder = holder;
            // Recovered = the placed node holds from here to the end of the run.
            if (calm)
                recoveredAt = holder is not null && holder == _placed ? recoveredAt ?? t : null;
        }
        return new SimulationResult(_seed, firstOverlap, overlapNodes, recoveredAt - _o.CalmFrom, closestHandover, acquisitions,
            held, _crashes, _partitions, _placementChanges, _claims);
    }

    private void InjectFaults(int t)
    {
        if (_rng.Next(800) == 0)
        {
            // Mostly another node, sometimes nobody (no eligible node).
            MovePlacement(t, _rng.Next(10) == 0 ? null : _rng.Next(_o.Nodes));
        }
        else if (_placed is { } placed && IsSilent(_nodes[placed], t) && _rng.Next(100) == 0)
        {
            // The allocator moves the VIP off a node whose renewals stopped, while its lease may still run.
            MovePlacement(t, (placed + 1 + _rng.Next(_o.Nodes - 1)) % _o.Nodes);
        }
        if (_rng.Next(1500) == 0)
        {
            Crash(_nodes[_rng.Next(_o.Nodes)], t);
        }
        if (_o.DeputyClaimOneIn > 0 && _rng.Next(_o.DeputyClaimOneIn) == 0)
            DeputyClaim(_nodes[_rng.Next(_o.Nodes)], t);
        if (_rng.Next(1000) == 0)
        {
            var heal = _rng.Next(2) == 0;
            for (var a = 0; a < _o.Nodes; a++)
            {
                for (var b = 0; b < _o.Nodes; b++)
                    _cut[a, b] = !heal && a != b && _rng.Next(3) == 0;
            }
            if (!heal)
                _partitions++;
        }
        if (_rng.Next(2000) == 0)
            Freeze(_nodes[_rng.Next(_o.Nodes)], t);
        if (_rng.Next(_o.HolderFaultOneIn) == 0 && _nodes.FirstOrDefault(n => !n.Down && n.Holds(t)) is { } holder)
        {
            // Aimed at the holder: its lease still runs while it is silent, the case the margin exists for.
            if (_rng.Next(2) == 0)
                Freeze(holder, t);
            else
                Crash(holder, t);
        }
    }

    /// <summary>
    /// A deputy claims the VIP for its node (DeputyPlacement): at an epoch above what its own voter knows, whatever the
    /// rest of the cluster does - the worst a deputy with a wrong view could do. Only the lease may keep this safe. The
    /// claim may yield while acquiring when a voter names another claimant (see Handle).
    /// </summary>
    private void DeputyClaim(SimNode node, int t)
    {
        if (node.Down || node.FrozenUntil > t || node.Lease is not null)
            return;
        var now = node.Local(t);
        var record = node.Voter.Snapshot(_voters[node.Index], now).Promises.FirstOrDefault(p => p.Vip == Vip);
        // Sometimes the very epoch the allocator hands out next: the same-epoch race of a deputy and the allocator.
        var epoch = Math.Max(record?.HighestEpoch ?? 0, _rng.Next(2) == 0 ? _epoch : 0) + 1;
        node.Lease = new OwnerLease(_o.Settings, epoch, _voters);
        node.ClaimPrevious = record?.PromisedTo ?? record?.HighestEpochOwner;
        node.IsClaim = true;
        node.ClaimedAt = now;
        node.KnownPlacementEpoch = Math.Max(node.KnownPlacementEpoch, epoch);
        node.NextRenewal = now;
        _claims++;
    }

    private void MovePlacement(int t, int? node)
    {
        _placed = node;
        // The allocator learns every epoch in use from the voters (recovery, and its own voter), deputies' claims included.
        _epoch = Math.Max(_epoch, _nodes.Max(n => n.KnownPlacementEpoch)) + 1;
        _placementChanges++;
        BroadcastPlacement(t);
    }

    /// <summary>Crashed, frozen, or cut off from most other nodes: its renewals no longer reach a majority.</summary>
    private bool IsSilent(SimNode node, int t)
    {
        if (node.Down || node.FrozenUntil > t)
            return true;
        var reached = 0;
        for (var v = 0; v < _o.Nodes; v++)
            reached += v == node.Index || !_cut[node.Index, v] ? 1 : 0;
        return reached < _o.Settings.Majority;
    }

    private void Crash(SimNode node, int t)
    {
        if (node.Down)
            return;
        node.Crash(until: Math.Min(_o.CalmFrom, t + _rng.Next(50, 1500)));
        _crashes++;
    }

    private void Freeze(SimNode node, int t) =>
        node.FrozenUntil = Math.Max(node.FrozenUntil, Math.Min(_o.CalmFrom, t + _rng.Next(50, 1000)));

    private void Heal(int t)
    {
        Array.Clear(_cut);
        foreach (var node in _nodes)
            node.FrozenUntil = Math.Min(node.FrozenUntil, t);
        // A stable placement on a node: faults are over, every node is up again. Placed anew (at an epoch above any
        // deputy's claim), as the allocator does once it has adopted or outranked the claims.
        MovePlacement(t, _placed ?? _rng.Next(_o.Nodes));
    }

    private void BroadcastPlacement(int t)
    {
        foreach (var node in _nodes)
            Send(t, Allocator, node.Index, new Place(_placed, _epoch));
    }

    private void Deliver(int t)
    {
        while (_network.TryPeek(out var message, out var due) && due.Item1 <= t)
        {
            _network.Dequeue();
            var to = _nodes[message.To];
            if (to.Down)
                continue;
            if (to.FrozenUntil > t)
            {
                // A frozen process reads its socket when it wakes.
                _network.Enqueue(message, (to.FrozenUntil, _sent++));
                continue;
            }
            Handle(to, message, t);
        }
    }

    private void Handle(SimNode node, Message message, int t)
    {
        var now = node.Local(t);
        _trace?.Invoke($"{t,5} node {node.Index} (local {now.TotalMilliseconds:0.0}) <- {message} lease={node.Lease?.Epoch} " +
            $"until={node.Lease?.ValidUntil?.TotalMilliseconds}");
        switch (message)
        {
            case Place place:
                if (place.Epoch < node.KnownPlacementEpoch)
                    return;
                node.KnownPlacementEpoch = place.Epoch;
                if (place.Owner == node.Index)
                {
                    if (node.Lease?.Epoch == place.Epoch)
                        return;
                    EndLease(node, t);
                    node.Lease = new OwnerLease(_o.Settings, place.Epoch, _voters);
                    node.IsClaim = false;
                    node.NextRenewal = now;
                }
                else
                {
                    EndLease(node, t);
                }
                break;
            case Renew renew:
                var vote = node.Voter.OnRenew(Vip, _voters[message.From], renew.Epoch, now);
                if (renew.AckWanted || !vote.IsAck)
                    Send(t, node.Index, message.From, new Answer(renew.Epoch, renew.RenewalId, vote));
                break;
            case Answer answer when node.Lease is { } lease && lease.Epoch == answer.Epoch:
                if (answer.Vote.IsAck)
                    lease.OnAck(answer.RenewalId, _voters[message.From]);
                else if (node.IsClaim && !lease.IsValid(now) && answer.Vote.Refusal == NackReason.PromisedToOther &&
                         answer.Vote.KnownOwner is { } other &&
                         DeputyPlacement.ClaimYields(_voters[node.Index], other, node.ClaimPrevious, _voters, now - node.ClaimedAt, _o.Settings))
                    EndLease(node, t); // a claim may yield to another claimant while it acquires (NodeAgent.OnNack)
                else if (lease.OnNack(answer.RenewalId, _voters[message.From], answer.Vote.Refusal!.Value, answer.Vote.KnownEpoch))
                    EndLease(node, t);
                break;
            case Release release:
                node.Voter.OnRelease(Vip, _voters[message.From], release.Epoch, now);
                break;
        }
    }

    private void Tick(SimNode node, int t)
    {
        if (node.Down || node.FrozenUntil > t)
            return;
        FinishSilencing(node, t);
        if (node.Lease is not { } lease)
            return;
        var now = node.Local(t);
        if (now < node.NextRenewal)
            return;
        var id = lease.NextRenewal(now);
        node.NextRenewal = now + _o.Settings.RenewInterval;
        for (var v = 0; v < _o.Nodes; v++)
            Send(t, node.Index, v, new Renew(lease.Epoch, id, lease.WantsAckFrom(_voters[v])));
    }

    /// <summary>
    /// The owner gives the VIP up: the lease ends, and the VIP is silenced (fence element deleted, address removed) some
    /// milliseconds later, or not at all when that fails; it answers until then, or until its fence element runs out at
    /// the lease's end. The release goes to the voters only once it is silenced, before the lease's end, and - usually -
    /// arrives. A lease that was not valid left nothing in the kernel: its release goes at once.
    /// </summary>
    private void EndLease(SimNode node, int t)
    {
        if (node.Lease is not { } lease)
            return;
        var validUntil = lease.ValidUntil;
        var held = lease.IsValid(node.Local(t));
        lease.End();
        node.Lease = null;
        // A lease that never held goes at once, unless an earlier epoch is still being silenced: the voters' promise to this
        // node backs that one too, so it must not be freed now (NodeAgent.GiveUp: the release waits, and is dropped as
        // the lease it belongs to has ended by then).
        if ((!held && node.Silences.Count == 0) || _o.ReleaseBeforeSilence)
            SendRelease(node, t, lease.Epoch);
        if (held)
        {
            var ok = _rng.NextDouble() >= _o.SilenceFailChance;
            node.Silences.Add(new Silence(lease.Epoch, t + _rng.Next(0, _o.MaxSilenceMs + 1), validUntil!.Value, ok));
        }
    }

    /// <summary>Silencing is the process's own work: it ends only while the process runs; then the release may go.</summary>
    private void FinishSilencing(SimNode node, int t)
    {
        for (var i = node.Silences.Count - 1; i >= 0; i--)
        {
            var silence = node.Silences[i];
            if (t < silence.DoneAt)
                continue;
            if (silence.Ok)
            {
                node.Silences.RemoveAt(i);
                // After the lease's end the promises run out anyway, and the node may have answered until now.
                if (!_o.ReleaseBeforeSilence && node.Local(t) < silence.ValidUntil)
                    SendRelease(node, t, silence.Epoch);
            }
            else if (node.Local(t) >= silence.ValidUntil)
            {
                // A failed close leaves the element to time out: the node answers until its lease's end, then never.
                node.Silences.RemoveAt(i);
            }
        }
    }

    private void SendRelease(SimNode node, int t, long epoch)
    {
        if (_rng.NextDouble() < _o.ReleaseChance)
        {
            for (var v = 0; v < _o.Nodes; v++)
                Send(t, node.Index, v, new Release(epoch));
        }
    }

    private void Send(int t, int from, int to, Message body)
    {
        var message = body with { From = from, To = to };
        _trace?.Invoke($"{t,5} send {message}");
        var calm = t >= _o.CalmFrom;
        if (from == to)
        {
            _network.Enqueue(message, (t, _sent++));
            return;
        }
        if (!calm && ((from != Allocator && _cut[from, to]) || _rng.NextDouble() < _loss))
            return;
        var delay = !calm && _rng.Next(10) == 0 ? _rng.Next(0, _o.LongDelayMs + 1) : _rng.Next(0, 4);
        _network.Enqueue(message, (t + delay, _sent++));
    }

    private abstract record Message
    {
        public int From { get; init; }
        public int To { get; init; }
    }

    private sealed record Place(int? Owner, long Epoch) : Message;

    private sealed record Renew(long Epoch, long RenewalId, bool AckWanted) : Message;

    private sealed record Answer(long Epoch, long RenewalId, Vote Vote) : Message;

    private sealed record Release(long Epoch) : Message;

    /// <summary>A VIP being silenced: done at real time DoneAt (if Ok), its fence element running out at the lease's ValidUntil.</summary>
    private sealed record Silence(long Epoch, int DoneAt, TimeSpan ValidUntil, bool Ok);

    private sealed class SimNode(int index, double rate, double offsetMs, LeaseSettings settings)
    {
        private int _downUntil = -1;
        private TimeSpan _fenceUntil = TimeSpan.MinValue;
        private long? _fenceEpoch;

        public int Index { get; } = index;
        public VoterState Voter { get; private set; } = new(settings, TimeSpan.FromMilliseconds(offsetMs));
        public OwnerLease? Lease { get; set; }
        /// <summary>The lease is a deputy's claim (not an allocator's placement), replacing <see cref="ClaimPrevious"/>.</summary>
        public bool IsClaim { get; set; }
        public NodeId? ClaimPrevious { get; set; }
        public TimeSpan ClaimedAt { get; set; }
        public List<Silence> Silences { get; } = new();
        public TimeSpan NextRenewal { get; set; }
        public long KnownPlacementEpoch { get; set; }
        public int FrozenUntil { get; set; }
        public bool Down { get; private set; }

        /// <summary>The node's monotonic clock: its own offset and rate, kept across process restarts (same host).</summary>
        public TimeSpan Local(int t) => TimeSpan.FromTicks((long)((offsetMs + rate * t) * TimeSpan.TicksPerMillisecond));

        /// <summary>
        /// Up with a valid lease, or a dead or replaced process's kernel fence still running: the fence element's
        /// timeout was the lease's remaining time at the last refresh, so it ends at that lease's ValidUntil.
        /// </summary>
        public bool Holds(int t) =>
            (!Down && Lease is { } lease && lease.IsValid(Local(t))) || Local(t) < _fenceUntil || Silencing(t) is not null;

        /// <summary>A given-up VIP not yet silenced, whose fence element still runs.</summary>
        private Silence? Silencing(int t) => Down ? null : Silences.FirstOrDefault(s => Local(t) < s.ValidUntil);

        public long? HeldEpoch(int t) => !Down && Lease is { } lease && lease.IsValid(Local(t)) ? lease.Epoch : Silencing(t)?.Epoch ?? _fenceEpoch;

        public void Crash(int until)
        {
            Down = true;
            _downUntil = until;
            if (Lease?.ValidUntil is { } fence)
                (_fenceUntil, _fenceEpoch) = (fence, Lease.Epoch);
            // What it was still silencing stays in the kernel until its fence element runs out.
            foreach (var silence in Silences.Where(s => s.ValidUntil > _fenceUntil))
                (_fenceUntil, _fenceEpoch) = (silence.ValidUntil, silence.Epoch);
            Silences.Clear();
            Lease = null;
        }

        public void RestartIfDue(int t)
        {
            if (!Down || t < _downUntil)
                return;
            // A new process: it remembers nothing, its voter starts its quiet period now, and it clears what the
            // dead one left in the kernel before anything else (else its own Release could free the voters while
            // the old fence still runs).
            Down = false;
            _fenceUntil = TimeSpan.MinValue;
            _fenceEpoch = null;
            Voter = new VoterState(settings, Local(t));
            KnownPlacementEpoch = 0;
            FrozenUntil = 0;
        }
    }
}
