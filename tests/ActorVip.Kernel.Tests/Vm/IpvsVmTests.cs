using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Linux.Ipvs;
using ActorVip.Node.Linux.Netlink;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Vm;

/// <summary>
/// `actorvip ipvs` against the real IPVS of Debian's kernel, in one VM boot (see <see cref="IpvsVm"/> and
/// tests/vm/ipvs-tests.sh). After every step the kernel table is what `ipvsadm -S -n` printed.
/// </summary>
[Trait("Category", "KernelVm")]
public sealed class IpvsVmTests(IpvsVm vm, ITestOutputHelper output) : IClassFixture<IpvsVm>
{
    private static readonly string Rules = Path.Combine(KernelVm.RepositoryRoot, "tests/vm/ipvs");

    private static string RulesFile(string name) =>
        string.Concat(File.ReadAllLines(Path.Combine(Rules, name)).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l + "\n"));

    private void AssertStep(string step, int exitCode)
    {
        Assert.True(vm.Run.Has($"steps/{step}.rc"), $"The VM did not reach step {step}: {vm.Run.Stderr} (results in {vm.Run.Results}).");
        Assert.True(exitCode == int.Parse(vm.Steps($"{step}.rc")),
            $"{step}: exit {vm.Steps($"{step}.rc").Trim()}, expected {exitCode}; stdout: {vm.Steps($"{step}.out")} stderr: {vm.Steps($"{step}.err")}");
    }

    [Fact]
    public void The_vm_ran_the_whole_script_on_its_own_kernel()
    {
        output.WriteLine($"VM boot to test script: {vm.Run.BootSeconds:0.0} s; whole VM run: {vm.Run.WallTime.TotalSeconds:0} s; results {vm.Run.Results}");
        if (vm.Run.Has("steps/functional.ms")) output.WriteLine($"functional steps: {vm.Steps("functional.ms").Trim()}");
        Assert.True(vm.Run.ExitCode == 0, $"run-in-vm exit {vm.Run.ExitCode}: {vm.Run.Stderr}");
        Assert.StartsWith("kernel 6.", vm.Steps("kernel.txt"));
        Assert.DoesNotContain(Environment.OSVersion.Version.ToString(), vm.Steps("kernel.txt"));
    }

    [Fact]
    public void Without_ipvs_each_command_says_so_in_one_sentence_and_changes_nothing()
    {
        foreach (var step in new[] { "no-ipvs-save", "no-ipvs-apply" })
        {
            AssertStep(step, 1);
            Assert.Equal("actorvip ipvs: the kernel has no IPVS: load it with modprobe ip_vs\n", vm.Steps($"{step}.err"));
            Assert.Equal("", vm.Steps($"{step}.out"));
        }
        Assert.Equal("0", vm.Steps("no-ipvs.loaded").Trim());
    }

    [Fact]
    public void Apply_creates_every_service_and_destination_exactly_as_written()
    {
        AssertStep("create", 0);
        var expected = RulesFile("01-create.rules");
        Assert.Equal(expected, vm.Steps("create.ipvsadm"));
        // Each line of the file was one change, printed as the ipvsadm command that makes it.
        Assert.Equal(
            expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(),
            vm.Steps("create.out").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        AssertStep("create-save", 0);
        Assert.Equal(vm.Steps("create.ipvsadm"), vm.Steps("create-save.out"));
    }

    [Fact]
    public void A_second_apply_changes_nothing()
    {
        AssertStep("reapply", 0);
        Assert.Equal("no change\n", vm.Steps("reapply.out"));
        Assert.Equal(vm.Steps("create.ipvsadm"), vm.Steps("reapply.ipvsadm"));
        AssertStep("rechange", 0);
        Assert.Equal("no change\n", vm.Steps("rechange.out"));
        Assert.Equal(vm.Steps("change.ipvsadm"), vm.Steps("rechange.ipvsadm"));
    }

    [Fact]
    public void Local_bypass_and_thresholds_reach_the_kernel_and_read_back()
    {
        AssertStep("extras", 0);
        var created = RulesFile("01-create.rules");
        var at = created.IndexOf("-A -u 192.0.2.1:53", StringComparison.Ordinal); // 192.0.2.4:80 sorts after the other IPv4 TCP services
        // ipvsadm prints local as -g, has no word for bypass (printf of NULL) and does not save thresholds.
        const string ipvsadmView = """
            -A -t 192.0.2.4:80 -s rr
            -a -t 192.0.2.4:80 -r 192.0.2.4:80 -g -w 1
            -a -t 192.0.2.4:80 -r 198.51.100.9:80 (null) -w 1
            -a -t 192.0.2.4:80 -r 198.51.100.10:80 -m -w 1

            """;
        Assert.Equal(created.Insert(at, ipvsadmView.ReplaceLineEndings("\n")), vm.Steps("extras.ipvsadm"));
        AssertStep("extras-save", 0);
        Assert.Equal(created.Insert(at, RulesFile("02-extras.rules")), vm.Steps("extras-save.out"));
    }

    [Fact]
    public void A_changed_file_applies_only_the_difference_and_leaves_services_not_owned()
    {
        AssertStep("change", 0);
        Assert.Equal("""
            -E -t 192.0.2.1:80 -s wlc
            -A -t 192.0.2.5:80 -s rr
            -E -u [2001:db8:1::2]:53 -s rr -p 300 -M 64
            -e -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 4
            -e -t 192.0.2.1:80 -r 198.51.100.3:80 -m -w 1
            -a -t 192.0.2.1:80 -r 198.51.100.11:80 -m -w 1
            -a -t 192.0.2.5:80 -r 198.51.100.12:80 -m -w 1
            -e -t [2001:db8:1::1]:80 -r [2001:db8:2::2]:80 -i -w 1 --tun-type ipip
            -d -t 192.0.2.1:80 -r 198.51.100.2:8080
            -D -t 192.0.2.2:443
            -D -t 192.0.2.4:80

            """.ReplaceLineEndings("\n"), vm.Steps("change.out"));
        Assert.Equal("""
            -A -t 192.0.2.1:80 -s wlc
            -a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 4
            -a -t 192.0.2.1:80 -r 198.51.100.3:80 -m -w 1
            -a -t 192.0.2.1:80 -r 198.51.100.4:80 -i -w 3 --tun-type ipip
            -a -t 192.0.2.1:80 -r 198.51.100.5:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum
            -a -t 192.0.2.1:80 -r 198.51.100.11:80 -m -w 1
            -A -t 192.0.2.5:80 -s rr
            -a -t 192.0.2.5:80 -r 198.51.100.12:80 -m -w 1
            -A -t 203.0.113.9:80 -s rr
            -a -t 203.0.113.9:80 -r 198.51.100.20:80 -m -w 1
            -A -u 192.0.2.1:53 -s wrr
            -a -u 192.0.2.1:53 -r 198.51.100.1:53 -g -w 5
            -A --sctp-service 192.0.2.3:5000 -s lc -p 60 -M 255.255.255.0 -o
            -a --sctp-service 192.0.2.3:5000 -r 198.51.100.7:5000 -m -w 1
            -A -t [2001:db8:1::1]:80 -s wlc
            -a -t [2001:db8:1::1]:80 -r [2001:db8:2::1]:80 -m -w 1
            -a -t [2001:db8:1::1]:80 -r [2001:db8:2::2]:80 -i -w 1 --tun-type ipip
            -a -t [2001:db8:1::1]:80 -r [2001:db8:2::3]:80 -i -w 1 --tun-type ipip
            -A -u [2001:db8:1::2]:53 -s rr -p 300 -M 64
            -a -u [2001:db8:1::2]:53 -r [2001:db8:2::4]:53 -m -w 0
            -A -f 1 -s rr
            -a -f 1 -r 198.51.100.8:0 -g -w 1
            -A -f 2 -6 -s rr
            -a -f 2 -6 -r [2001:db8:2::5]:0 -g -w 1

            """.ReplaceLineEndings("\n"), vm.Steps("change.ipvsadm"));
        AssertStep("change-save", 0);
        Assert.Equal(vm.Steps("change.ipvsadm"), vm.Steps("change-save.out"));
    }

    [Fact]
    public void An_unknown_scheduler_is_one_sentence_and_nothing_stays_half_applied()
    {
        AssertStep("unknown-scheduler", 1);
        Assert.Equal(
            "actorvip ipvs: unknown scheduler nosuch: the kernel has no module ip_vs_nosuch (known: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh)\n",
            vm.Steps("unknown-scheduler.err"));
        Assert.Equal(vm.Steps("rechange.ipvsadm"), vm.Steps("unknown-scheduler.ipvsadm"));
    }

    [Fact]
    public void Without_cap_net_admin_the_command_says_so_and_changes_nothing()
    {
        AssertStep("no-cap", 1);
        Assert.Equal(
            "actorvip ipvs: listing IPVS services was refused (EPERM): IPVS needs CAP_NET_ADMIN, so run as root or grant that capability\n",
            vm.Steps("no-cap.err"));
        Assert.Equal(vm.Steps("rechange.ipvsadm"), vm.Steps("no-cap.ipvsadm"));
    }

    [Fact]
    public void Bad_input_exits_2_with_the_line_and_changes_nothing()
    {
        AssertStep("bad-input", 2);
        Assert.Equal($"actorvip ipvs: {Path.Combine(Rules, "05-bad-input.rules")}: line 2: unknown destination option '-q'\n", vm.Steps("bad-input.err"));
        Assert.Equal(vm.Steps("rechange.ipvsadm"), vm.Steps("bad-input.ipvsadm"));
        AssertStep("missing-file", 2);
        Assert.StartsWith($"actorvip ipvs: cannot read {Path.Combine(Rules, "no-such.rules")}: ", vm.Steps("missing-file.err"));
        Assert.Single(vm.Steps("missing-file.err").Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Info_and_timeouts_read_as_ipvsadm_reads_them()
    {
        AssertStep("info", 0);
        Assert.Equal(vm.Steps("info.expected"), vm.Steps("info.out"));
        Assert.Matches(@"^IP Virtual Server version 1\.2\.1 \(size=\d+\)\n$", vm.Steps("info.out"));
        AssertStep("timeout", 0);
        Assert.Equal(vm.Steps("timeout.expected"), vm.Steps("timeout.out"));
        Assert.Equal("Timeout (tcp tcpfin udp): 600 120 200\n", vm.Steps("timeout.out"));
    }

    [Fact]
    public void Cleanup_removes_the_vip_its_ipvs_service_and_the_nat_table_of_a_killed_run_and_nothing_else()
    {
        AssertStep("cleanup", 0);
        Assert.Contains("removed IPVS service", vm.Steps("cleanup.out"));
        Assert.DoesNotContain("192.0.2.77", vm.Steps("cleanup.ipvsadm"));
        Assert.Contains("-A -t 203.0.113.9:80", vm.Steps("cleanup.ipvsadm"));
        Assert.DoesNotContain("192.0.2.77", vm.Steps("cleanup.addr"));
        Assert.DoesNotContain("actorvip-nat", vm.Steps("cleanup.nft"));
        AssertStep("cleanup-again", 0);
        Assert.Contains("nothing to clean up", vm.Steps("cleanup-again.out"));
    }

    [Fact]
    public void The_encoder_sends_what_ipvsadm_sends()
    {
        var service = IpvsServiceKey.Tcp(IPAddress.Parse("192.0.2.200"), 80);
        var (svcFlags, svcPayload) = IpvsMessage(vm.Steps("golden-newsvc.strace"), command: 1);
        var ours = Encode(new AddService(service, new IpvsServiceSettings("rr")));
        Assert.Equal(Nl.FRequest | Nl.FAck, svcFlags);
        Assert.Equal(Convert.ToHexString(svcPayload), Convert.ToHexString(ours.AsSpan(16)));

        var (destFlags, destPayload) = IpvsMessage(vm.Steps("golden-newdest.strace"), command: 5);
        ours = Encode(new AddDestination(service, new IpvsDestination(IPAddress.Parse("198.51.100.200"), 80, ForwardingMethod.Masquerade, 1)));
        Assert.Equal(Nl.FRequest | Nl.FAck, destFlags);
        // ipvsadm adds service settings that the kernel ignores in destination requests; the destination itself must match.
        Assert.Equal(Convert.ToHexString(Attribute(destPayload, IpvsNl.AttrDest)), Convert.ToHexString(Attribute(ours.AsSpan(16).ToArray(), IpvsNl.AttrDest)));
    }

    [Fact]
    public void Benchmark_ipvs_apply_against_ipvsadm_restore()
    {
        Assert.True(vm.Run.Has("bench/apply.rc"), $"The VM did not reach the benchmark (results in {vm.Run.Results}).");
        var apply = vm.Run.Read("bench/apply.out");
        var restore = vm.Run.Read("bench/ipvsadm.out");
        var cli = vm.Run.Read("bench/cli.out");
        output.WriteLine(apply + restore + cli);
        Assert.True(vm.Run.Read("bench/apply.rc").Trim() == "0", $"benchmark failed: {vm.Run.Read("bench/apply.err")}");
        Assert.True(vm.Run.Read("bench/ipvsadm.rc").Trim() == "0", $"ipvsadm -R failed: {vm.Run.Read("bench/ipvsadm.err")}");
        Assert.True(vm.Run.Read("bench/cli.rc").Trim() == "0", $"cold CLI apply failed: {vm.Run.Read("bench/cli.err")}");
        Assert.Contains("entries=9000", apply);
        Assert.Contains("entries=9000", restore);
        var full = Number(apply, "full_ms");
        var ipvsadm = Number(restore, "ms");
        output.WriteLine($"full apply / ipvsadm -R = {full / ipvsadm:0.00}; 10% change / full apply: from the known table (IpvsActor) " +
            $"{Number(apply, "change_known_over_full"):0.00}, re-reading the kernel (CLI) {Number(apply, "change_reread_over_full"):0.00}; " +
            $"cold CLI / ipvsadm -R = {Number(cli, "ms") / ipvsadm:0.00}");
        output.WriteLine($"reading the table: actorvip {Number(apply, "read_ms"):0} ms, ipvsadm -S -n {Number(restore, "save_ms"):0} ms");
    }

    private static double Number(string text, string name) =>
        double.Parse(Regex.Match(text, $@"\b{name}=([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);

    private static byte[] Encode(IpvsOperation operation)
    {
        var writer = new NetlinkWriter();
        IpvsRequest.Write(writer, 0x20, 1, operation);
        return writer.Written.ToArray();
    }

    /// <summary>Flags and payload (after nlmsghdr) of the IPVS message with <paramref name="command"/> in an strace -xx log.</summary>
    private static (ushort Flags, byte[] Payload) IpvsMessage(string strace, byte command)
    {
        foreach (Match m in Regex.Matches(strace, @"nlmsg_flags=([A-Z_|]+), [^}]*\}, ""((?:\\x[0-9a-f]{2})+)"""))
        {
            var payload = Convert.FromHexString(m.Groups[2].Value.Replace("\\x", ""));
            if (payload.Length < 4 || payload[0] != command || m.Value.Contains("nlctrl")) continue;
            var flags = m.Groups[1].Value.Split('|').Aggregate((ushort)0, (f, name) => (ushort)(f | name switch
            {
                "NLM_F_REQUEST" => Nl.FRequest,
                "NLM_F_ACK" => Nl.FAck,
                _ => 0x8000,
            }));
            return (flags, payload);
        }
        throw new InvalidOperationException($"No IPVS command {command} in the strace capture:\n{strace}");
    }

    private static byte[] Attribute(byte[] genericPayload, ushort type) =>
        new NetlinkAttributes(genericPayload.AsSpan(4)).TryGet(type, out var value)
            ? value.ToArray()
            : throw new InvalidOperationException($"No attribute {type}.");
}
