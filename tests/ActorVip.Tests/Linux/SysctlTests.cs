using ActorVip.Node.Linux;

namespace ActorVip.Tests.Linux;

/// <summary>Sysctl against a fake /proc/sys tree (the real one is exercised by the kernel tests).</summary>
public sealed class SysctlTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("avt-sysctl-").FullName;
    private readonly string _original = Sysctl.Root;

    public SysctlTests() => Sysctl.Root = _root;

    [Theory]
    [InlineData("net.ipv4.ip_forward", "net/ipv4/ip_forward")]
    [InlineData("net/ipv4/ip_forward", "net/ipv4/ip_forward")]
    [InlineData("net.ipv4.conf.eth0/100.arp_ignore", "net/ipv4/conf/eth0.100/arp_ignore")]
    [InlineData("net/ipv4/conf/eth0.100/arp_ignore", "net/ipv4/conf/eth0.100/arp_ignore")]
    public void Keys_map_to_files_like_sysctl_8(string key, string relative) =>
        Assert.Equal(Path.Combine(_root, relative), Sysctl.PathOf(key));

    [Theory]
    [InlineData("")]
    [InlineData("net/../../etc/passwd")]
    [InlineData("/net/ipv4")]
    public void Rejects_keys_that_leave_proc_sys(string key) => Assert.Throws<ArgumentException>(() => Sysctl.PathOf(key));

    [Fact]
    public void Reads_and_writes_a_value()
    {
        Directory.CreateDirectory(Path.Combine(_root, "net/ipv4"));
        File.WriteAllText(Path.Combine(_root, "net/ipv4/ip_forward"), "0\n");

        Assert.Equal("0", Sysctl.Read("net.ipv4.ip_forward"));
        Sysctl.Write("net.ipv4.ip_forward", "1");
        Assert.Equal("1", Sysctl.Read("net/ipv4/ip_forward"));
    }

    [Fact]
    public void A_missing_key_names_the_module_to_load()
    {
        var read = Assert.Throws<IOException>(() => Sysctl.Read("net.ipv4.vs.conntrack"));
        Assert.Equal("The kernel has no sysctl net.ipv4.vs.conntrack: is module ip_vs loaded (modprobe ip_vs)?", read.Message);
        var write = Assert.Throws<IOException>(() => Sysctl.Write("net.ipv4.conf.eth9.arp_ignore", "1"));
        Assert.Equal("The kernel has no sysctl net.ipv4.conf.eth9.arp_ignore: does interface eth9 exist?", write.Message);
    }

    public void Dispose()
    {
        Sysctl.Root = _original;
        Directory.Delete(_root, recursive: true);
    }
}
