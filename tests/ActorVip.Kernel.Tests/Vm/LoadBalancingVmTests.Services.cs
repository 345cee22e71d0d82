namespace ActorVip.Kernel.Tests.Vm;

/// <summary>
/// VIPs with services of their own (actorvip.vips) in the same VM boot (tests/vm/lb-services.sh): one `actorvip run`
/// holds five VIPs with TCP, UDP and SCTP services, several ports, TCP and UDP on one port, a firewall mark,
/// masquerade and directroute, IPv4 and IPv6; a client's requests through each reach both backends.
/// </summary>
public sealed partial class LoadBalancingVmTests
{
    private string Svc(string name) => vm.Lb($"svc.{name}");

    private void AssertServicesHeld()
    {
        Assert.False(vm.Has("svc.start-failed"),
            $"{(vm.Has("svc.start-failed") ? Svc("start-failed") + Svc("ipvsadm") : "")}; log: {(vm.Has("svc.log") ? Svc("log") : "none")}");
        Assert.True(vm.Has("svc.start-ms"), $"the VM did not reach the per-VIP services: {vm.Run.Stderr} (results in {vm.Run.Results})");
    }

    /// <summary>Both backends answered and nothing failed.</summary>
    private void AssertBoth(string file, string b1, string b2)
    {
        var answers = Requests($"svc.{file}");
        Assert.True(answers.Length > 0, $"{file}: no requests were made");
        Assert.Contains(b1, answers);
        Assert.Contains(b2, answers);
        Assert.DoesNotContain("fail", answers);
    }

    [Fact]
    public void A_vip_with_several_services_gets_each_with_its_own_protocol_port_method_and_backends()
    {
        AssertServicesHeld();
        output.WriteLine($"five VIPs with 9 services held {Svc("start-ms").Trim()} ms after the process started; the whole section took {Svc("ms").Trim()} ms");
        var table = Svc("ipvsadm");
        foreach (var line in new[]
                 {
                     "-A -t 198.51.100.101:80 -s rr", "-a -t 198.51.100.101:80 -r 198.51.100.12:8080 -m -w 1",
                     "-A -t 198.51.100.101:53 -s rr", "-a -t 198.51.100.101:53 -r 198.51.100.11:53 -m -w 1",
                     "-A -u 198.51.100.101:53 -s rr", "-a -u 198.51.100.101:53 -r 198.51.100.12:53 -m -w 1",
                     "-A --sctp-service 198.51.100.101:3868 -s rr", "-a --sctp-service 198.51.100.101:3868 -r 198.51.100.11:3868 -m -w 1",
                     "-A -u 198.51.100.102:53 -s rr", "-a -u 198.51.100.102:53 -r 198.51.100.11:53 -g -w 1",
                     "-A -f 7 -s rr", "-a -f 7 -r 198.51.100.12:8080 -m -w 1",
                     "-A -t [2001:db8:2::101]:80 -s rr", "-a -u [2001:db8:2::101]:53 -r [2001:db8:2::11]:53 -m -w 1",
                     "-A -u [2001:db8:2::102]:53 -s rr", "-a -u [2001:db8:2::102]:53 -r [2001:db8:2::12]:53 -g -w 1",
                 })
            Assert.Contains(line, table);
        // One source-NAT rule per VIP covers all its ports and protocols.
        Assert.Contains("ct original ip daddr 198.51.100.101 masquerade", Svc("nft"));
        Assert.Contains("ct original ip6 daddr 2001:db8:2::101 masquerade", Svc("nft"));
    }

    [Fact]
    public void Two_ports_and_tcp_and_udp_on_one_port_each_reach_both_backends_through_one_arm_masquerade()
    {
        AssertServicesHeld();
        AssertBoth("tcp80", "b1", "b2");
        AssertBoth("tcp53", "b1 tcp", "b2 tcp");
        AssertBoth("udp53", "b1 udp", "b2 udp");
    }

    [Fact]
    public void Udp_directroute_reaches_both_backends_which_answer_from_the_vip()
    {
        AssertServicesHeld();
        foreach (var b in new[] { "b1", "b2" })
            Assert.True(Svc($"setup-{b}.log").Trim().EndsWith('0'), $"backend setup on {b}: {Svc($"setup-{b}.log")}");
        Assert.Contains("ip addr add 198.51.100.102/32 dev lo", Svc("setup"));
        Assert.DoesNotContain(Svc("setup").Split('\n'), l => !l.StartsWith('#') && l.Contains("198.51.100.101", StringComparison.Ordinal));
        AssertBoth("dr", "b1-dr udp", "b2-dr udp");
    }

    [Fact]
    public void Sctp_masquerade_reaches_both_backends()
    {
        AssertServicesHeld();
        AssertBoth("sctp", "b1 sctp", "b2 sctp");
    }

    [Fact]
    public void A_firewall_mark_service_balances_what_the_mark_rule_selects()
    {
        AssertServicesHeld();
        AssertBoth("fwmark", "b1", "b2");
    }

    [Fact]
    public void Ipv6_tcp_and_udp_masquerade_and_udp_directroute_reach_both_backends()
    {
        AssertServicesHeld();
        AssertBoth("tcp80-6", "b1", "b2");
        AssertBoth("udp53-6", "b1 udp", "b2 udp");
        AssertBoth("dr6", "b1-dr udp", "b2-dr udp");
        Assert.Contains("ip -6 addr add 2001:db8:2::102/128 dev lo", Svc("setup"));
    }

    [Fact]
    public void A_failed_udp_check_takes_the_backend_out_of_the_udp_services_only_and_it_returns()
    {
        AssertServicesHeld();
        output.WriteLine($"udp backend out {Svc("fall-ms").Trim()} ms after its server stopped; back {Svc("rise-ms").Trim()} ms after it restarted");
        var failed = Svc("failed-ipvsadm");
        Assert.Contains("-a -u 198.51.100.101:53 -r 198.51.100.12:53 -m -w 0", failed);
        Assert.Contains("-a -u 198.51.100.102:53 -r 198.51.100.12:53 -g -w 0", failed);
        Assert.Contains("-a -t 198.51.100.101:53 -r 198.51.100.12:53 -m -w 1", failed);
        Assert.Contains("-a -t 198.51.100.101:80 -r 198.51.100.12:8080 -m -w 1", failed);
        Assert.All(Requests("svc.failed-udp53"), r => Assert.Equal("b1 udp", r));
        AssertBoth("failed-tcp53", "b1 tcp", "b2 tcp");
        AssertBoth("recovered-udp53", "b1 udp", "b2 udp");
    }

    /// <summary>
    /// Issue 14 §5 on a kernel with IPVS: a reload (SIGHUP) adds 198.51.100.106 with a UDP masquerade service to the running node, with
    /// a scheduler (wrr) no service used at start, which the reload finds among the kernel's modules. Its holder programs it from the
    /// reloaded settings (one path into IPVS, the start's), the client's requests through it reach both
    /// backends, and the nine services that were there stay as they were. Before, a VIP with services was refused by a reload.
    /// </summary>
    [Fact]
    public void A_vip_added_by_sighup_with_a_udp_service_is_programmed_and_reaches_both_backends_and_the_others_stay()
    {
        AssertServicesHeld();
        output.WriteLine($"the added VIP's service had both backends {Svc("reload-ms").Trim()} ms after the SIGHUP");
        Assert.Contains("reload: applied: 1 VIP added, 0 removed, 0 changed", Svc("log"));
        Assert.Contains(" 198.51.100.106/32 ", Svc("reload-addr"));
        var table = Svc("reload-ipvsadm");
        Assert.Contains("-A -u 198.51.100.106:53 -s wrr", table);
        Assert.Contains("-a -u 198.51.100.106:53 -r 198.51.100.11:53 -m -w 1", table);
        Assert.Contains("-a -u 198.51.100.106:53 -r 198.51.100.12:53 -m -w 1", table);
        foreach (var line in Svc("reload-before").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Assert.Contains(line, table);
        AssertBoth("reload-udp53", "b1 udp", "b2 udp");
        Assert.DoesNotContain("198.51.100.106", Svc("after-ipvsadm"));
    }

    /// <summary>
    /// Issue 14 §5: a node that started without load-balanced services (198.51.100.107 alone, no IPVS opened) gets its first from a
    /// reload: 198.51.100.108 with a UDP masquerade service and 198.51.100.109 with a UDP directroute one. The reload opens IPVS then,
    /// the VIPs' holder programs the services, the client's datagrams reach both backends, the directroute service takes the fence's
    /// inbound rule away, and 198.51.100.107 is not touched (granted once). SIGTERM removes the services, the NAT table and the
    /// addresses. Before, both needed a restart.
    /// </summary>
    [Fact]
    public void The_first_service_a_sighup_brings_to_a_node_started_without_any_opens_ipvs_and_reaches_both_backends()
    {
        var log = Svc("plain-log");
        output.WriteLine($"the first service had both backends {Svc("plain-reload-ms").Trim()} ms after the SIGHUP");
        Assert.Contains("reload: applied: 2 VIPs added, 0 removed, 0 changed", log);
        Assert.DoesNotContain("198.51.100.108", Svc("plain-before"));
        var table = Svc("plain-ipvsadm");
        Assert.Contains("-A -u 198.51.100.108:53 -s rr", table);
        Assert.Contains("-a -u 198.51.100.108:53 -r 198.51.100.11:53 -m -w 1", table);
        Assert.Contains("-a -u 198.51.100.108:53 -r 198.51.100.12:53 -m -w 1", table);
        Assert.Contains(" 198.51.100.107/32 ", Svc("plain-addr"));
        Assert.Contains(" 198.51.100.108/32 ", Svc("plain-addr"));
        AssertBoth("plain-udp53", "b1 udp", "b2 udp");
        // The directroute service took the fence's inbound rule away, in the same re-install.
        Assert.Contains("-a -u 198.51.100.109:53 -r 198.51.100.11:53 -g", table);
        Assert.Contains("chain inbound", Svc("plain-fence-before"));
        Assert.DoesNotContain("chain inbound", Svc("plain-fence"));
        Assert.Contains("198.51.100.109", Svc("plain-fence"));
        Assert.Single(log.Split('\n'), l => l.Contains("granted", StringComparison.Ordinal) && l.Contains("vip=198.51.100.107 ", StringComparison.Ordinal));
        Assert.Equal("0", Svc("plain-exit").Trim());
        var after = Svc("plain-after");
        Assert.DoesNotContain("198.51.100.108", after);
        Assert.DoesNotContain("198.51.100.109", after);
        Assert.DoesNotContain("198.51.100.107/", after);
        Assert.DoesNotContain("actorvip-nat", after);
    }

    [Fact]
    public void Sigterm_removes_every_service_of_every_vip_the_fwmark_one_the_nat_and_the_addresses()
    {
        AssertServicesHeld();
        Assert.Equal("0", Svc("exit").Trim());
        var after = Svc("after-ipvsadm");
        foreach (var vip in new[] { "198.51.100.101", "198.51.100.102", "2001:db8:2::101", "2001:db8:2::102", "-f 7" })
            Assert.DoesNotContain(vip, after);
        // The NAT tables go; the fence tables stay installed owning nothing (issue 13 §2.5) until a cleanup or the next start.
        Assert.DoesNotContain("actorvip-nat", Svc("after-nft"));
        foreach (var vip in new[] { "198.51.100.101/", "198.51.100.102/", "198.51.100.103/", "2001:db8:2::101/", "2001:db8:2::102/" })
            Assert.DoesNotContain(vip, Svc("after-addr"));
    }

    [Fact]
    public void A_scheduler_the_kernel_lacks_fails_check_and_run_with_exit_1_and_nothing_applied()
    {
        Assert.Equal("1", Svc("nosuch-check.rc").Trim());
        Assert.Contains("missing  IPVS scheduler nosuch: this kernel has no module ip_vs_nosuch (used by 198.51.100.104 udp 53)", Svc("nosuch-check"));
        Assert.Contains("ok       IPVS scheduler rr (module ip_vs_rr)", Svc("nosuch-check"));
        Assert.Contains("ok       IPVS\n", Svc("nosuch-check"));
        Assert.Equal("1", Svc("nosuch-run.rc").Trim());
        var run = Svc("nosuch-run").Trim();
        Assert.StartsWith("actorvip: IPVS scheduler nosuch: this kernel has no module ip_vs_nosuch", run);
        Assert.DoesNotContain('\n', run);
        var after = Svc("nosuch-after");
        Assert.StartsWith("0\n", after);
        // No table made or removed: the fence tables the earlier runs left (owning nothing, issue 13 §2.5) are all there is.
        var tablesBefore = Svc("nosuch-before-nft");
        Assert.Contains(tablesBefore, after);
        Assert.Equal(tablesBefore.Split('\n').Count(l => l.StartsWith("table ", StringComparison.Ordinal)),
            after.Split('\n').Count(l => l.StartsWith("table ", StringComparison.Ordinal)));
        Assert.DoesNotContain("actorvip-nat", after);
        Assert.DoesNotContain("198.51.100.10", after);
    }
}
