namespace ActorVip.Kernel.Tests.Lab;

public class NetnsLabTests
{
    [Fact]
    public void Hosts_on_the_bridge_reach_each_other_and_everything_is_gone_after_dispose()
    {
        string prefix;
        using (var lab = new NetnsLab("lab"))
        {
            prefix = lab.Prefix;
            var a = lab.AddHost("a", "192.0.2.1/24");
            lab.AddHost("b", "192.0.2.2/24");
            var ping = lab.Exec(a, "ping", "-c", "1", "-W", "2", "192.0.2.2");
            Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
        }
        var left = Shell.Run("ip", "netns", "list").Stdout;
        Assert.DoesNotContain(prefix, left);
    }
}
