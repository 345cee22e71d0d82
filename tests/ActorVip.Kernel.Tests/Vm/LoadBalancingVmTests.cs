using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Vm;

/// <summary>
/// Every forwarding mode end to end on Debian's kernel, in one VM boot (see <see cref="LoadBalancingVm"/> and
/// tests/vm/lb-tests.sh): `actorvip run` holds the VIP, a client's requests through VIP:80 reach the servers the
/// mode promises, ipvsadm shows the mode, and SIGTERM leaves no service, NAT table or address behind.
/// </summary>
[Trait("Category", "KernelVm")]
public sealed partial class LoadBalancingVmTests(LoadBalancingVm vm, ITestOutputHelper output) : IClassFixture<LoadBalancingVm>
{
    private string[] Requests(string name) => vm.Lb(name).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private void AssertHeld(string mode)
    {
        Assert.False(vm.Has($"{mode}.start-failed"), $"{mode}: {(vm.Has($"{mode}.start-failed") ? vm.Lb($"{mode}.start-failed") : "")}; log: " +
            $"{(vm.Has($"{mode}.log") ? vm.Lb($"{mode}.log") : "none")}");
        Assert.True(vm.Has($"{mode}.start-ms"), $"the VM did not reach mode {mode}: {vm.Run.Stderr} (results in {vm.Run.Results})");
        output.WriteLine($"{mode}: VIP and IPVS service {vm.Lb($"{mode}.start-ms").Trim()} ms after the process started; stopped " +
            $"{vm.Lb($"{mode}.stop-ms").Trim()} ms after SIGTERM");
    }

    private void AssertCleanStop(string mode, string vip)
    {
        Assert.Equal("0", vm.Lb($"{mode}.exit").Trim());
        Assert.DoesNotContain(vip, vm.Lb($"{mode}.after-ipvsadm"));
        // The NAT table goes; the fence table stays installed owning nothing (issue 13 §2.5) until a cleanup or the next start.
        Assert.DoesNotContain("actorvip-nat", vm.Lb($"{mode}.after-nft"));
        Assert.Equal("", vm.Lb($"{mode}.after-addr").Trim());
    }

    /// <summary>Both backends are in the service with the mode's flag, and the client's requests reached both and nothing failed.</summary>
    private void AssertBothBackends(string mode, string service, string backend1, string backend2, string flag)
    {
        var table = vm.Lb($"{mode}.ipvsadm");
        Assert.Contains($"-a -t {service} -r {backend1} {flag} -w 1", table);
        Assert.Contains($"-a -t {service} -r {backend2} {flag} -w 1", table);
        var answers = Requests($"{mode}.requests");
        Assert.Contains("b1", answers);
        Assert.Contains("b2", answers);
        Assert.DoesNotContain("fail", answers);
    }

    [Fact]
    public void The_vm_ran_every_mode_on_its_own_kernel()
    {
        output.WriteLine($"whole VM run: {vm.Run.WallTime.TotalSeconds:0} s; modes: " +
            $"{(vm.Has("functional.ms") ? vm.Lb("functional.ms").Trim() : "unfinished")}; results {vm.Run.Results}");
        Assert.True(vm.Run.ExitCode == 0, $"run-in-vm exit {vm.Run.ExitCode}: {vm.Run.Stderr}");
        Assert.StartsWith("kernel 6.", vm.Lb("kernel.txt"));
        Assert.True(vm.Has("functional.ms"), "the script did not reach its end");
    }

    [Fact]
    public void Start_removes_the_ipvs_service_and_nat_table_a_killed_run_left_for_its_vip()
    {
        Assert.Contains("-A -t 192.0.2.100:443 -s wlc", vm.Lb("stale-before"));
        AssertHeld("local");
        Assert.DoesNotContain("192.0.2.100:443", vm.Lb("local.ipvsadm"));
        Assert.Contains("removed IPVS service tcp 192.0.2.100:443 left by an earlier run", vm.Lb("local.log"));
        Assert.DoesNotContain("actorvip-nat", vm.Lb("local.after-nft"));
    }

    [Fact]
    public void Local_delivers_to_the_owner_itself()
    {
        AssertHeld("local");
        Assert.Contains("--local", vm.Lb("local.save"));
        Assert.All(Requests("local.requests"), r => Assert.Equal("director", r));
        AssertCleanStop("local", "192.0.2.100");
    }

    [Fact]
    public void Masquerade_two_arm_spreads_over_both_backends_with_the_port_changed_and_source_nat()
    {
        AssertHeld("masquerade");
        Assert.Contains("-A -t 192.0.2.100:80 -s rr", vm.Lb("masquerade.ipvsadm"));
        AssertBothBackends("masquerade", "192.0.2.100:80", "198.51.100.11:8080", "198.51.100.12:8080", "-m");
        Assert.Contains("ct original ip daddr 192.0.2.100 masquerade", vm.Lb("masquerade.nft"));
        Assert.Equal(["1", "1"], vm.Lb("masquerade.sysctl").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        AssertCleanStop("masquerade", "192.0.2.100");
        // The sysctls it switched on are put back as they were before.
        Assert.Equal(
            [vm.Lb("before-sysctl").Trim(), "0", vm.Lb("before-sysctl6").Trim()],
            vm.Lb("masquerade.after-sysctl").Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_failed_backend_leaves_the_rotation_and_returns_while_the_other_keeps_answering()
    {
        AssertHeld("masquerade");
        output.WriteLine($"out of rotation {vm.Lb("masquerade.fall-ms").Trim()} ms after its server stopped (fall 2 x interval 500 ms); back " +
            $"{vm.Lb("masquerade.rise-ms").Trim()} ms after it restarted (rise 2)");
        Assert.Contains("-r 198.51.100.12:8080 -m -w 0", vm.Lb("masquerade.failed-ipvsadm"));
        Assert.All(Requests("masquerade.failed-requests"), r => Assert.Equal("b1", r));
        Assert.Contains("-r 198.51.100.12:8080 -m -w 1", vm.Lb("masquerade.recovered-ipvsadm"));
        var answers = Requests("masquerade.recovered-requests");
        Assert.Contains("b1", answers);
        Assert.Contains("b2", answers);
    }

    [Fact]
    public void Masquerade_one_arm_works_through_source_nat_without_nft_or_iptables_on_path()
    {
        Assert.EndsWith("rc=1", vm.Lb("one-arm.path").Trim());
        AssertHeld("one-arm");
        AssertBothBackends("one-arm", "198.51.100.100:80", "198.51.100.11:8080", "198.51.100.12:8080", "-m");
        // The same requests without the rule: the backends answer the client directly, which drops the answers.
        Assert.All(Requests("one-arm.no-nat-requests"), r => Assert.Equal("fail", r));
        AssertCleanStop("one-arm", "198.51.100.100");
    }

    [Theory]
    [InlineData("directroute", "-g", "198.51.100.100", "198.51.100.100:80", "198.51.100.11:80", "198.51.100.12:80")]
    [InlineData("tunnel", "-i", "198.51.100.100", "198.51.100.100:80", "198.51.100.11:80", "198.51.100.12:80")]
    [InlineData("directroute6", "-g", "2001:db8:2::100", "[2001:db8:2::100]:80", "[2001:db8:2::11]:80", "[2001:db8:2::12]:80")]
    [InlineData("tunnel6", "-i", "2001:db8:2::100", "[2001:db8:2::100]:80", "[2001:db8:2::11]:80", "[2001:db8:2::12]:80")]
    public void Directroute_and_tunnel_reach_both_backends_that_hold_the_vip_as_backend_setup_says(string mode, string flag, string vip, string service,
        string b1, string b2)
    {
        foreach (var b in new[] { "b1", "b2" })
            Assert.True(vm.Lb($"{mode}.setup-{b}.log").Trim().EndsWith('0'), $"backend setup on {b}: {vm.Lb($"{mode}.setup-{b}.log")}");
        AssertHeld(mode);
        AssertBothBackends(mode, service, b1, b2, flag);
        AssertCleanStop(mode, vip);
    }

    [Fact]
    public void Ipv6_local_delivers_to_the_owner_itself()
    {
        AssertHeld("local6");
        Assert.Contains("-A -t [2001:db8:1::100]:80 -s rr", vm.Lb("local6.ipvsadm"));
        Assert.Contains("--local", vm.Lb("local6.save"));
        Assert.All(Requests("local6.requests"), r => Assert.Equal("director6", r));
        Assert.Equal(4, Requests("local6.requests").Length);
        AssertCleanStop("local6", "2001:db8:1::100");
    }

    [Fact]
    public void Ipv6_masquerade_two_arm_spreads_over_both_backends_with_ip6_source_nat_and_ipv6_forwarding()
    {
        AssertHeld("masquerade6");
        AssertBothBackends("masquerade6", "[2001:db8:1::100]:80", "[2001:db8:2::11]:8080", "[2001:db8:2::12]:8080", "-m");
        Assert.Contains("ct original ip6 daddr 2001:db8:1::100 masquerade", vm.Lb("masquerade6.nft"));
        Assert.Equal(["1", "1"], vm.Lb("masquerade6.sysctl").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        AssertCleanStop("masquerade6", "2001:db8:1::100");
        Assert.Equal(vm.Lb("before-sysctl6").Trim(), vm.Lb("masquerade6.after-sysctl").Split('\n', StringSplitOptions.RemoveEmptyEntries)[2]);
    }

    [Fact(Skip = "tests/vm/lb-members.sh is not sourced by lb-tests.sh yet: in its first VM run (3 .NET nodes under TCG on a loaded 2-core host) the joining " +
        "nodes never took the leader's Welcome and the leader downed itself; see docs/LOAD-BALANCING.md")]
    public void Member_backends_of_a_three_node_cluster_answer_through_the_vip_and_a_stopped_member_leaves_the_service()
    {
        Assert.False(vm.Has("members.start-failed"), vm.Has("members.start-failed") ? vm.Lb("members.start-failed") + "\n" + vm.Lb("members.n1.log") : "");
        Assert.True(vm.Has("members.start-ms"), $"the VM did not reach the member test: {vm.Run.Stderr} (results in {vm.Run.Results})");
        var owner = vm.Lb("members.owner").Trim();
        var gone = vm.Lb("members.stopped").Trim();
        output.WriteLine($"cluster of 3 held the VIP with 3 member backends {vm.Lb("members.start-ms").Trim()} ms after the processes " +
            $"started (owner {owner}); " +
            $"{gone} out of the service {vm.Lb("members.removed-ms").Trim()} ms after its process exited");
        var table = vm.Lb("members.ipvsadm");
        Assert.Contains("-A -t 198.51.100.200:80 -s rr", table);
        foreach (var ip in new[] { "198.51.100.21", "198.51.100.22", "198.51.100.23" })
            Assert.Contains($"-a -t 198.51.100.200:80 -r {ip}:8080 -m -w 1", table);
        var answers = Requests("members.requests");
        Assert.Equal(["n1", "n2", "n3"], answers.Distinct().Order());
        Assert.DoesNotContain("fail", answers);

        Assert.Equal("0", vm.Lb("members.stopped-exit").Trim());
        var after = vm.Lb("members.after-ipvsadm");
        Assert.DoesNotContain($"-r 198.51.100.2{gone[1..]}:8080", after);
        Assert.Equal(2, after.Split('\n').Count(l => l.Contains(":8080 -m -w 1", StringComparison.Ordinal)));
        var remaining = Requests("members.after-requests");
        Assert.Equal(new[] { "n1", "n2", "n3" }.Where(n => n != gone), remaining.Distinct().Order());
        Assert.DoesNotContain("fail", remaining);
    }

    [Fact]
    public void Bypass_sends_packets_on_to_the_vip_itself_which_the_kernel_drops_on_the_owner()
    {
        AssertHeld("bypass");
        Assert.Contains("-r 198.51.100.11:80 --bypass", vm.Lb("bypass.save"));
        Assert.All(Requests("bypass.requests"), r => Assert.Equal("fail", r));
        AssertCleanStop("bypass", "192.0.2.100");
    }

    [Fact]
    public void Reconcile_latency_on_the_real_kernel_is_printed()
    {
        output.WriteLine(vm.Lb("bench.txt"));
        Assert.Equal("0", vm.Lb("bench.rc").Trim());
        Assert.DoesNotContain("no IPVS", vm.Lb("bench.txt"));
        foreach (var n in new[] { "       3  health-flip", "      50  member-join", "     500  member-leave" })
            Assert.Contains(n, vm.Lb("bench.txt"));
    }
}
