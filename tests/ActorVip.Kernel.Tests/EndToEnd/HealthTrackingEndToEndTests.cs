using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorVip.Kernel.Tests.Lab;
using ActorVip.Kernel.Tests.Security;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.EndToEnd;

/// <summary>
/// Issue 14 §1 with three real `actorvip run` processes, each beside a small real HTTP server in its namespace (its "API
/// server", python3 http.server on 127.0.0.1:8080) that the VIP's health check asks every 200 ms (fall 2): the failover
/// trial's health scenario (<see cref="FailoverScenario.Health"/>) stops the owner's server, and another node must answer the
/// VIP, never while the owner still did. Then what a user expects next: `actorvip status` says `health`; the server started
/// again does not pull the VIP back (preempt is off by default); with every server stopped the owner keeps it
/// (when-none-healthy = keep, the default). The same for each type of check that asks the server: http, tcp (a connect to its
/// port) and exec (a script in the lab's folder that GETs it with curl). Then what is particular to a type: an exec check that
/// hangs, an https check's CA file, and the notify hook's `fault`. Prints the time from the fault to another node answering;
/// the timing's bound (fall x interval + 150 ms) is the benchmark's business, the assertions here are loose.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HealthTrackingEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LooseBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    /// <summary>
    /// The interval and timeout (at most the interval) of an exec or https check: a shell and curl start, and a TLS handshake is
    /// done, well within it on a busy machine (with 400 ms, healthy nodes' exec checks timed out now and then at a load of 14 on
    /// two cores, and the VIP moved for that).
    /// </summary>
    private static readonly TimeSpan SlowInterval = TimeSpan.FromSeconds(1);

    /// <summary>What a test sets up in its lab before the trial: the check, the API servers, the fault to the owner's, more settings.</summary>
    private sealed record Setup(LabHealthCheck Check)
    {
        public ApiServers? Servers { get; init; }
        public ApiServerFault Fault { get; init; } = ApiServerFault.Stop;
        public string Settings { get; init; } = "";
    }

    [Theory]
    [InlineData("http")]
    [InlineData("tcp")]
    [InlineData("exec")]
    public void Owner_api_server_stopped_moves_the_vip_to_a_healthy_node_which_keeps_it_after_the_server_is_back_and_when_none_is_healthy(string type) =>
        Trial(lab => new Setup(type switch
        {
            "http" => FailoverTrial.HealthCheck,
            "tcp" => new LabHealthCheck($"type = tcp, port = {ApiServers.Port}", Interval, Interval, 2, 2),
            _ => ExecCheck(lab),
        }), AfterTheMove);

    /// <summary>
    /// The exec check of a hung API server (SIGSTOP: its port accepts, nothing answers) hangs in curl, the check script's child,
    /// and in a copy of curl the script detached (its subshell exits at once, so it is re-parented out of the script's tree):
    /// at the timeout all three are killed, the check fails and the VIP moves; no run of the check is left in the namespace.
    /// </summary>
    [Fact]
    public void An_exec_check_hanging_past_its_timeout_fails_moves_the_vip_and_leaves_no_process_behind() =>
        Trial(lab => new Setup(ExecCheck(lab, $"({Curl} &)\n{Curl}\n")) { Fault = ApiServerFault.Freeze }, AfterTheHungCheck);

    /// <summary>
    /// An https check with a CA file: every node's server presents a certificate for 127.0.0.1 from the test CA, which the check
    /// trusts through ca-file, and passes. The owner's server restarted with a certificate from another CA fails verification:
    /// the VIP moves off it, and with the new owner's server stopped it goes to the third node, never back to the node whose
    /// certificate the check does not trust.
    /// </summary>
    [Fact]
    public void An_https_check_passes_with_its_ca_file_and_fails_a_certificate_of_another_ca_which_moves_the_vip_off_the_node()
    {
        using var trusted = new TestAuthority("api-ca");
        using var other = new TestAuthority("other-ca");
        var (certificate, key) = trusted.Issue("api", IPAddress.Loopback);
        var (otherCertificate, otherKey) = other.Issue("api", IPAddress.Loopback);
        var untrusted = new ApiServerTls("other-ca", otherCertificate, otherKey);
        var check = new LabHealthCheck($"type = https, url = \"{ApiServers.HttpsUrl}\", ca-file = \"{trusted.CaFile}\"", SlowInterval, SlowInterval, 2, 2);
        Trial(lab => new Setup(check)
        {
            Servers = new ApiServers(lab, new ApiServerTls("api-ca", certificate, key)),
            Fault = new ApiServerFault("restarted with a certificate of another CA", (api, node) =>
            {
                api.Stop(node);
                api.Start(untrusted, node);
            }),
        }, AfterTheUntrustedCertificate);
    }

    /// <summary>
    /// The notify hook on a failing check (docs/PREFERENCE.md, "Notify hooks"): every node runs a hook that writes its ACTORVIP_*
    /// environment to a file per run. The owner whose check fails runs `fault` with the check's reason, then `released`, both at its
    /// epoch; the new owner runs `acquired` at a later one; the third node, whose check passes, runs no `fault`.
    /// </summary>
    [Fact]
    public void The_owner_whose_check_fails_runs_the_fault_hook_then_released_and_the_new_owner_acquired() =>
        Trial(lab => new Setup(FailoverTrial.HealthCheck) { Settings = $"actorvip.notify {{ command = \"{Hook(lab)}\", timeout = 5s }}" },
            AfterTheFaultHook);

    /// <summary>The hook: one file per run in the lab's folder, named by the time (the order of a node's runs), of its ACTORVIP_* variables.</summary>
    private static string Hook(NetworkLab lab)
    {
        var runs = Directory.CreateDirectory(HookRuns(lab)).FullName;
        var hook = Path.Combine(lab.TempDirectory, "notify-hook");
        File.WriteAllText(hook, $"#!/bin/sh\nrun={runs}/$(date +%s%N)-$$\nenv | grep '^ACTORVIP_' | sort > $run.tmp && mv $run.tmp $run.env\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return hook;
    }

    private static string HookRuns(NetworkLab lab) => Path.Combine(lab.TempDirectory, "hook-runs");

    /// <summary>
    /// The exec check: a script in the lab's folder (by default <see cref="Curl"/>; not `exec curl`, so that curl is the script's
    /// child and a hung server leaves two processes for the timeout to kill), run without a shell with the URL as its argument.
    /// </summary>
    private static LabHealthCheck ExecCheck(NetworkLab lab, string body = Curl + "\n")
    {
        var script = Path.Combine(lab.TempDirectory, "check-api");
        File.WriteAllText(script, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new LabHealthCheck($"type = exec, command = \"{script}\", args = [\"{ApiServers.Url}\"]", SlowInterval, SlowInterval, 2, 2);
    }

    /// <summary>The exec check script's probe: a GET of the URL given ($1), exit 0 when it answers 2xx.</summary>
    private const string Curl = "curl -s -f -o /dev/null \"$1\"";

    /// <summary>
    /// Runs the health scenario on three nodes with <paramref name="setUp"/>'s check, servers and fault, and <paramref name="after"/> once
    /// another node answers; asserts what every such trial must show (the move within a loose bound, one owner at a time, the old owner
    /// silent before another answers, the VIP answered at the end) and that the lab left no namespace behind.
    /// </summary>
    private void Trial(Func<NetworkLab, Setup> setUp, Action<VipTopology, TrialTail> after)
    {
        string prefix;
        TrialResult result;
        Setup setup;
        using (var lab = new NetworkLab("hc"))
        {
            prefix = lab.Prefix;
            var topology = VipTopology.Build(lab, 3);
            setup = setUp(lab);
            var service = new ActorVipService(settings: setup.Settings);
            var trial = new FailoverTrial(topology, service, line => output.WriteLine($"-- {line}"), CancellationToken.None)
            {
                Check = setup.Check,
                ApiServers = setup.Servers,
                HealthFault = setup.Fault,
                WhileServing = processes => SettledOffTheAllocator(topology, processes),
                AfterRecovery = tail => after(topology, tail),
            };
            result = trial.Run(FailoverScenario.Health);
            foreach (var line in result.Timeline) output.WriteLine(line);
        }
        Assert.DoesNotContain(prefix, HostCommand.Run("ip", "netns", "list").Stdout);

        var detail = $"\n{string.Join('\n', result.Timeline)}\n{result.Logs}";
        Assert.True(result.Failure is null, $"the trial did not reach its fault: {result.Failure}\n{result.Logs}");
        var moved = result.OtherNodeAnswers;
        output.WriteLine($"owner's API server faulted: another node answers after {moved?.TotalMilliseconds:0} ms, the client's longest silence " +
            $"{result.Silence?.TotalMilliseconds:0} ms");
        // Loose: the check's own fall x interval (and, for a hung check, its timeout), on top of 5 s.
        var loose = LooseBound + (setup.Check.Interval + setup.Check.Timeout) * setup.Check.Fall;
        Assert.True(moved < loose, $"no other node answered for the VIP within {loose.TotalSeconds:0.0} s of the fault to the owner's API server{detail}");
        Assert.True(result.DualOwnership.Count == 0, $"two nodes answered for the VIP at once ({result.DualOwnershipTime.TotalMilliseconds:0} ms){detail}");
        // Nobody else answered while the owner still did, and the owner never answered again.
        var seen = result.Observation!;
        var lastOfOwner = seen.Answers.Where(a => a.At > result.FaultAt && Same(a.Mac, result.OldOwner!.Mac)).Select(a => a.At).DefaultIfEmpty().Max();
        Assert.True(lastOfOwner < result.FaultAt + moved, $"the old owner answered at +{(lastOfOwner - result.FaultAt).TotalMilliseconds:0} ms, " +
            $"after another node did at +{moved?.TotalMilliseconds:0} ms{detail}");
        Assert.True(result.Recovered, $"the VIP was not answered at the end{detail}");
    }

    /// <summary>
    /// Waits, before the fault, until the VIP is off the allocator's node, where a settled cluster of three never leaves it
    /// (Placement.LeavesAllocatorsNode): faulted there while the cluster still settles, the owner might give the VIP up for that
    /// before its check fails (a hung exec check takes over a second), and `actorvip status` would rightly say away-from-allocator.
    /// </summary>
    private void SettledOffTheAllocator(VipTopology topology, IReadOnlyDictionary<LabNode, LabProcess> processes)
    {
        var (off, said) = (false, "");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        bool Off()
        {
            (off, said) = OffTheAllocator(topology.Nodes[0]);
            return off;
        }
        Assert.True(Ip.Eventually(Off, Bound),
            $"the VIP did not leave the allocator's node: {said}\n{FailoverTrial.Logs(processes)}");
        output.WriteLine($"before the fault: {said} (waited {waited.Elapsed.TotalMilliseconds:0} ms)");
    }

    /// <summary>The node the VIP moved to, once only it answers, and every node's status naming it with `health`.</summary>
    private LabNode MovedForHealth(VipTopology topology, TrialTail tail)
    {
        var (observer, old) = (tail.Observer, tail.OldOwner);
        var owner = Single(topology, observer.RecentOwners(TimeSpan.FromMilliseconds(200)));
        Assert.True(owner is not null && owner != old, $"the VIP did not move: {owner?.Name ?? "no one node"} answers it " +
            $"{(observer.Now - tail.FaultAt).TotalSeconds:0.0} s after the fault to {old.Name}'s API server\n{Logs(tail)}");
        foreach (var node in topology.Nodes)
        {
            var said = "";
            Assert.True(Ip.Eventually(() => (said = Status(node)) == $"akka.tcp://actorvip@{owner!.Endpoint} health", Bound),
                $"{node.Name}'s status says '{said}', not {owner!.Name} for health\n{Logs(tail)}");
        }
        output.WriteLine($"status: {owner!.Name} holds the VIP, why: health");
        return owner;
    }

    /// <summary>What follows the move, on the same nodes and client: the reason, the server back, every server stopped.</summary>
    private void AfterTheMove(VipTopology topology, TrialTail tail)
    {
        var (observer, old, api) = (tail.Observer, tail.OldOwner, tail.ApiServers!);
        var logs = () => Logs(tail);
        // Every node's status names the new owner, and why it is there: its health.
        var owner = MovedForHealth(topology, tail);

        // The old owner's API server back: it turns healthy again, and the VIP stays where it is (preempt is off by default).
        var passing = Count(tail.Processes[old], "passing");
        var backAt = observer.Now;
        api.Start(old);
        tail.Note(backAt, $"{old.Name}'s API server started again");
        Assert.True(Ip.Eventually(() => Count(tail.Processes[old], "passing") > passing, Bound),
            $"{old.Name}'s health check did not pass again\n{logs()}");
        tail.Note(observer.Now, $"{old.Name} logs its check passing again");
        Thread.Sleep(Quiet);
        KeptBy(observer, owner, backAt, "after the old owner's API server came back", logs);

        // Every API server stopped, the owner's last (else the VIP would rightly move to the last healthy one): the owner keeps it.
        var others = topology.Nodes.Where(n => n != owner).ToList();
        var failing = others.ToDictionary(n => n, n => Count(tail.Processes[n], "failing"));
        var stopAt = observer.Now;
        api.Stop(others);
        Assert.True(Ip.Eventually(() => others.All(n => Count(tail.Processes[n], "failing") > failing[n]), Bound),
            $"the other nodes' checks did not fail\n{logs()}");
        var ownerFailing = Count(tail.Processes[owner], "failing");
        api.Stop(owner);
        tail.Note(stopAt, "every API server stopped, the owner's last");
        Assert.True(Ip.Eventually(() => Count(tail.Processes[owner], "failing") > ownerFailing, Bound), $"the owner's check did not fail\n{logs()}");
        Thread.Sleep(Quiet);
        KeptBy(observer, owner, stopAt, "with every API server stopped", logs);
        Assert.Equal($"akka.tcp://actorvip@{owner.Endpoint} health", Status(owner));
    }

    /// <summary>
    /// After a hung exec check moved the VIP: the old owner's log says its runs were killed at the timeout (with what had left the
    /// script's tree), and once any run left
    /// behind would be older than a run in flight can be (the timeout, and a margin for a busy machine), none is in its namespace
    /// (curl and the script name the URL in their command lines; left alone, curl would wait for the frozen server for ever).
    /// </summary>
    private void AfterTheHungCheck(VipTopology topology, TrialTail tail)
    {
        var old = tail.OldOwner;
        MovedForHealth(topology, tail);
        var node = tail.Processes[old];
        Assert.True(Ip.Eventually(() => node.Output.Contains("killed at the timeout", StringComparison.Ordinal), Bound),
            $"{old.Name} never logged its check killed at the timeout\n{Logs(tail)}");
        var oldest = SlowInterval + TimeSpan.FromSeconds(2);
        var look = tail.FaultAt + oldest + TimeSpan.FromSeconds(3);
        if (look > tail.Observer.Now) Thread.Sleep(look - tail.Observer.Now);
        var runs = CheckRuns(topology.Lab, old);
        output.WriteLine($"runs of the check in {old.Namespace} {(look - tail.FaultAt).TotalSeconds:0} s after the fault: " +
            $"{(runs.Count == 0 ? "none" : string.Join("; ", runs))}");
        Assert.True(runs.All(r => r.Age <= oldest), $"runs of the check left in {old.Namespace}: {string.Join("; ", runs)}\n{Logs(tail)}");
        // The detached curl was found through the run's environment, not its tree.
        Assert.Contains("that had left its tree", node.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// After the owner's server got a certificate of another CA: every node's check had passed with the CA file; the old owner's does
    /// not pass again though its server answers; with the new owner's server stopped the VIP goes to the third node, not the old owner.
    /// </summary>
    private void AfterTheUntrustedCertificate(VipTopology topology, TrialTail tail)
    {
        var (observer, old, api) = (tail.Observer, tail.OldOwner, tail.ApiServers!);
        var owner = MovedForHealth(topology, tail);
        foreach (var node in topology.Nodes)
            Assert.True(Count(tail.Processes[node], "passing") >= 1, $"{node.Name}'s https check never passed with the CA file\n{Logs(tail)}");
        // Its server answers again (ApiServers.Start waited for it): a trusted certificate would pass within rise x interval.
        Thread.Sleep(SlowInterval * 4);
        Assert.True(Count(tail.Processes[old], "passing") == 1, $"{old.Name}'s check passed with the other CA's certificate\n{Logs(tail)}");

        var third = topology.Nodes.Single(n => n != owner && n != old);
        var stopAt = observer.Now;
        api.Stop(owner);
        tail.Note(stopAt, $"{owner.Name}'s API server stopped: only {third.Name}'s check passes");
        Assert.True(Ip.Eventually(() => Single(topology, observer.RecentOwners(TimeSpan.FromMilliseconds(200))) == third, Bound),
            $"the VIP did not move to {third.Name}, the only node whose check passes\n{Logs(tail)}");
        var seen = observer.Snapshot();
        var owners = seen.OwnersBetween(stopAt, seen.End);
        output.WriteLine($"{owner.Name}'s API server stopped: answered by {string.Join(", ", owners)}; {third.Name} is {third.Mac}");
        Assert.DoesNotContain(owners, m => Same(m, old.Mac));
        Assert.Equal(1, Count(tail.Processes[old], "passing"));
    }

    /// <summary>After the move: the old owner's fault and released runs, the new owner's acquired, with the environment the docs promise.</summary>
    private void AfterTheFaultHook(VipTopology topology, TrialTail tail)
    {
        var old = tail.OldOwner;
        var owner = MovedForHealth(topology, tail);
        var third = topology.Nodes.Single(n => n != owner && n != old);
        List<Dictionary<string, string>> Runs(LabNode node) => Directory.GetFiles(HookRuns(topology.Lab), "*.env").Order(StringComparer.Ordinal)
            .Select(f => File.ReadAllLines(f).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]))
            .Where(r => r.GetValueOrDefault("ACTORVIP_NODE") == $"akka.tcp://actorvip@{node.Endpoint}").ToList();
        string Events(LabNode node) => string.Join(' ', Runs(node).Select(r => r["ACTORVIP_EVENT"]));
        Assert.True(Ip.Eventually(() => Events(old).EndsWith("fault released", StringComparison.Ordinal) && Events(owner).EndsWith("acquired",
            StringComparison.Ordinal), Bound), $"hooks run: {old.Name} '{Events(old)}', {owner.Name} '{Events(owner)}'\n{Logs(tail)}");
        foreach (var node in topology.Nodes) output.WriteLine($"{node.Name}'s hook runs: {Events(node)}");

        var (fault, released) = (Runs(old)[^2], Runs(old)[^1]);
        var acquired = Runs(owner)[^1];
        var epoch = fault["ACTORVIP_EPOCH"];
        foreach (var run in new[] { fault, released, acquired }) output.WriteLine(string.Join(' ', run.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal(Environment(old, "fault", epoch, $"health: http 127.0.0.1:{ApiServers.Port}/ failing"), fault);
        Assert.Equal(Environment(old, "released", epoch, released["ACTORVIP_REASON"]), released);
        Assert.NotEqual("", released["ACTORVIP_REASON"]);
        Assert.Equal(Environment(owner, "acquired", acquired["ACTORVIP_EPOCH"], ""), acquired);
        Assert.True(long.Parse(acquired["ACTORVIP_EPOCH"]) > long.Parse(epoch), $"{owner.Name} acquired at epoch {acquired["ACTORVIP_EPOCH"]}, " +
            $"not after {old.Name}'s {epoch}");
        Assert.Single(Runs(old), r => r["ACTORVIP_EVENT"] == "fault");
        Assert.DoesNotContain(Runs(third), r => r["ACTORVIP_EVENT"] == "fault");
    }

    /// <summary>The six ACTORVIP_* variables a hook run of <paramref name="node"/> gets for the VIP on eth0.</summary>
    private static Dictionary<string, string> Environment(LabNode node, string @event, string epoch, string reason) => new()
    {
        ["ACTORVIP_EPOCH"] = epoch,
        ["ACTORVIP_EVENT"] = @event,
        ["ACTORVIP_INTERFACE"] = "eth0",
        ["ACTORVIP_NODE"] = $"akka.tcp://actorvip@{node.Endpoint}",
        ["ACTORVIP_REASON"] = reason,
        ["ACTORVIP_VIP"] = VipTopology.Vip.ToString(),
    };

    /// <summary>The processes in the node's namespace that run the exec check (their command lines name the API server's URL).</summary>
    private static List<(int Pid, TimeSpan Age, string Command)> CheckRuns(NetworkLab lab, LabNode node)
    {
        var pids = lab.Pids(node.Namespace);
        if (pids.Count == 0) return [];
        return HostCommand.Run("ps", "-o", "pid=,etimes=,args=", "-p", string.Join(',', pids)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 3 && f[2].Contains(ApiServers.Url, StringComparison.Ordinal))
            .Select(f => (int.Parse(f[0]), TimeSpan.FromSeconds(int.Parse(f[1])), f[2]))
            .ToList();
    }

    /// <summary>Only <paramref name="owner"/> answered who-has since <paramref name="since"/>, and the pings were answered throughout.</summary>
    private void KeptBy(ClientObserver observer, LabNode owner, TimeSpan since, string when, Func<string> logs)
    {
        var seen = observer.Snapshot();
        var owners = seen.OwnersBetween(since, seen.End);
        var silence = seen.LongestSilence(since, seen.End);
        output.WriteLine($"{when}: answered by {string.Join(", ", owners)}, the client's longest silence {silence.TotalMilliseconds:0} ms");
        Assert.True(owners.Count == 1 && Same(owners[0], owner.Mac), $"{when}: {string.Join(", ", owners)} answered, not {owner.Name} ({owner.Mac}) " +
            $"alone\n{logs()}");
        Assert.True(silence < TimeSpan.FromSeconds(1), $"{when}: the VIP was silent for {silence.TotalMilliseconds:0} ms\n{logs()}");
    }

    private static string Logs(TrialTail tail) => FailoverTrial.Logs(tail.Processes);

    /// <summary>The owner and the reason `actorvip status --json` in the node's namespace gives for the one VIP.</summary>
    private static string Status(LabNode node) => Status(node, json =>
    {
        var vip = json.GetProperty("vips").EnumerateArray().Single();
        return $"{vip.GetProperty("owner").GetString()} {vip.GetProperty("why").GetString()}";
    });

    /// <summary>Whether the node's status names an owner of the VIP other than the allocator's node, and what it says.</summary>
    private static (bool Off, string Said) OffTheAllocator(LabNode node)
    {
        var off = false;
        var said = Status(node, json =>
        {
            var owner = json.GetProperty("vips").EnumerateArray().Single().GetProperty("owner").GetString();
            var allocator = json.GetProperty("allocator").GetString();
            off = owner is not null && allocator is not null && owner != allocator;
            return $"owner {owner}, allocator {allocator}";
        });
        return (off, said);
    }

    private static string Status(LabNode node, Func<JsonElement, string> read)
    {
        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(node.Namespace, "status", "--json");
        if (code != 0) return $"exit {code}: {stderr.Trim()}";
        using var json = JsonDocument.Parse(stdout);
        return read(json.RootElement);
    }

    /// <summary>How often the node logged the VIP's health check turning <paramref name="state"/> (VipHealthWatch).</summary>
    private static int Count(LabProcess process, string state) =>
        Regex.Matches(process.Output, $@"health check .+? is {state} \(\d+ in a row\)"" vip={Regex.Escape(VipTopology.Vip.ToString())}").Count;

    private static LabNode? Single(VipTopology topology, IReadOnlyList<string> macs) => macs.Count == 1 ? topology.NodeWithMac(macs[0]) : null;

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
