using System.Net;
using ActorVip.Node.Linux.Nftables;

namespace ActorVip.Tests.Linux;

public class MasqueradeSysctlsTests
{
    [Theory]
    [InlineData("192.0.2.100", "net.ipv4.ip_forward")]
    [InlineData("2001:db8::100", "net.ipv6.conf.all.forwarding")]
    public void Masquerade_turns_on_forwarding_for_the_vips_family_and_ipvs_conntrack(string vip, string forwarding)
    {
        Assert.Equal([forwarding, "net.ipv4.vs.conntrack"], MasqueradeNat.SysctlsFor(IPAddress.Parse(vip)));
    }
}
