using ActorVip.Node.Linux;

namespace ActorVip.Kernel.Tests.Linux;

/// <summary>Sysctl on the real /proc/sys, inside a lab namespace (network sysctls are per namespace).</summary>
public class SysctlTests
{
    [Fact]
    public void Writes_and_reads_a_network_sysctl_of_the_namespace_only()
    {
        using var lab = new NetworkLab("sys");
        var ns = lab.AddHost("n", "192.0.2.11/24");
        var host = File.ReadAllText("/proc/sys/net/ipv4/conf/all/arp_announce").Trim();

        using (NetworkNamespace.Enter(ns))
        {
            Sysctl.Write("net.ipv4.conf.eth0.arp_announce", "2");
            Sysctl.Write("net/ipv4/conf/all/arp_announce", host == "1" ? "2" : "1");
            Assert.Equal("2", Sysctl.Read("net/ipv4/conf/eth0/arp_announce"));
        }

        Assert.Equal("2", lab.Exec(ns, "sysctl", "-n", "net.ipv4.conf.eth0.arp_announce").Stdout.Trim());
        Assert.Equal(host, File.ReadAllText("/proc/sys/net/ipv4/conf/all/arp_announce").Trim());
    }

    [Fact]
    public void Missing_keys_and_rejected_values_give_one_clear_sentence()
    {
        using var lab = new NetworkLab("sys");
        var ns = lab.AddHost("n", "192.0.2.11/24");
        using (NetworkNamespace.Enter(ns))
        {
            var gone = Assert.Throws<IOException>(() => Sysctl.Read("net.ipv4.conf.nosuch0.arp_ignore"));
            Assert.Equal("The kernel has no sysctl net.ipv4.conf.nosuch0.arp_ignore: does interface nosuch0 exist?", gone.Message);
            var rejected = Assert.Throws<IOException>(() => Sysctl.Write("net.ipv4.conf.eth0.arp_ignore", "not-a-number"));
            Assert.StartsWith("Writing sysctl net.ipv4.conf.eth0.arp_ignore=not-a-number failed: the kernel rejected the value", rejected.Message);
        }
    }
}
