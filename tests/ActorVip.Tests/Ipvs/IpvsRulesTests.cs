using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Configuration;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Ipvs.Rules;

namespace ActorVip.Tests.Ipvs;

public sealed class IpvsRulesTests
{
    /// <summary>
    /// Lines as `ipvsadm -S -n` printed them in the test VM (Debian 12, ipvsadm 1.31, kernel 6.1), in its order:
    /// fwmark 0 first, then IPv4 before IPv6, TCP, UDP, SCTP, then address and port compared the way libipvs does,
    /// where [2001:db8:8000:1::1] sorts before [2001:db8::1] because unsigned differences are read as int.
    /// </summary>
    private const string Saved = """
        -A -t 192.0.2.1:80 -s rr
        -a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1
        -a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 2
        -a -t 192.0.2.1:80 -r 198.51.100.3:80 -g -w 1
        -a -t 192.0.2.1:80 -r 198.51.100.4:80 -i -w 3 --tun-type ipip
        -a -t 192.0.2.1:80 -r 198.51.100.5:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum
        -A -t 192.0.2.2:443 -s sh -p 300 -b sh-fallback,sh-port
        -a -t 192.0.2.2:443 -r 198.51.100.6:443 -i -w 1 --tun-type gre --tun-csum
        -A -u 192.0.2.1:53 -s wrr
        -A --sctp-service 192.0.2.3:5000 -s lc -p 60 -M 255.255.255.0 -o
        -A -t [2001:db8:8000:1::1]:80 -s rr
        -A -t [2001:db8::1]:80 -s rr
        -A -t [2001:db8::2]:80 -s rr
        -a -t [2001:db8::2]:80 -r 198.51.100.9:80 -i -w 1 --tun-type ipip
        -a -t [2001:db8::2]:80 -r [2001:db8:8000:1::1]:80 -m -w 1
        -a -t [2001:db8::2]:80 -r [2001:db8:0:1::1]:80 -m -w 1
        -A -u [2001:db8:1::2]:53 -s rr -p 120 -M 64
        -A -f 1 -s rr
        -a -f 1 -r 198.51.100.6:0 -g -w 1
        -A -f 2 -6 -s sh -b sh-fallback,sh-port

        """;

    [Fact]
    public void Saved_rules_read_back_and_print_the_same_lines()
    {
        var table = IpvsRulesParser.Parse(Saved);
        Assert.Equal(10, table.Count);
        Assert.Equal(Saved.ReplaceLineEndings("\n"), IpvsRulesPrinter.Save(table));
    }

    [Fact]
    public void Every_field_is_read()
    {
        var table = IpvsRulesParser.Parse(Saved);
        var sh = table.Find(IpvsServiceKey.Tcp(IPAddress.Parse("192.0.2.2"), 443))!;
        Assert.Equal(new IpvsServiceSettings("sh", true, 300, null, false, SchedulerFlags.Flag1 | SchedulerFlags.Flag2), sh.Settings);
        Assert.Equal(new IpvsDestination(IPAddress.Parse("198.51.100.6"), 443, ForwardingMethod.Tunnel, 1, TunnelType: TunnelType.Gre,
            TunnelChecksum: TunnelChecksum.Checksum), sh.Destinations.Single());

        var sctp = table.Find(IpvsServiceKey.Sctp(IPAddress.Parse("192.0.2.3"), 5000))!;
        Assert.Equal(new IpvsServiceSettings("lc", true, 60, 24, OnePacket: true), sctp.Settings);

        var v6 = table.Find(IpvsServiceKey.Udp(IPAddress.Parse("2001:db8:1::2"), 53))!;
        Assert.Equal(new IpvsServiceSettings("rr", true, 120, 64), v6.Settings);

        var web = table.Find(IpvsServiceKey.Tcp(IPAddress.Parse("192.0.2.1"), 80))!;
        Assert.Equal(
            [
                new(IPAddress.Parse("198.51.100.1"), 80, ForwardingMethod.Masquerade, 1),
                new(IPAddress.Parse("198.51.100.2"), 8080, ForwardingMethod.Masquerade, 2),
                new(IPAddress.Parse("198.51.100.3"), 80, ForwardingMethod.DirectRoute, 1),
                new(IPAddress.Parse("198.51.100.4"), 80, ForwardingMethod.Tunnel, 3),
                new IpvsDestination(IPAddress.Parse("198.51.100.5"), 80, ForwardingMethod.Tunnel, 1, TunnelType: TunnelType.Gue, TunnelPort: 6080),
            ],
            web.Destinations);

        Assert.NotNull(table.Find(IpvsServiceKey.ForFirewallMark(2, AddressFamily.InterNetworkV6)));
    }

    [Fact]
    public void Local_bypass_and_thresholds_use_the_documented_extra_words()
    {
        const string text = """
            -A -t 192.0.2.4:80 -s rr
            -a -t 192.0.2.4:80 -r 192.0.2.4:80 --local -w 1
            -a -t 192.0.2.4:80 -r 198.51.100.7:80 --bypass -w 1
            -a -t 192.0.2.4:80 -r 198.51.100.8:80 -m -w 1 -x 10 -y 5

            """;
        var service = IpvsRulesParser.Parse(text).Services.Single();
        Assert.Equal(
            [ForwardingMethod.Local, ForwardingMethod.Bypass, ForwardingMethod.Masquerade],
            service.Destinations.Select(d => d.Forwarding));
        Assert.Equal((10u, 5u), (service.Destinations[2].UpperThreshold, service.Destinations[2].LowerThreshold));
        Assert.Equal(text.ReplaceLineEndings("\n"), IpvsRulesPrinter.Save(IpvsRulesParser.Parse(text)));
    }

    [Fact]
    public void Ipvsadm_defaults_and_long_options_are_understood()
    {
        var table = IpvsRulesParser.Parse("""
            # a comment, then a blank line

            --add-service --tcp-service 192.0.2.1:80 --persistent
            --add-server --tcp-service 192.0.2.1:80 --real-server 198.51.100.1 --weight 3
            -A -f 9 -s rr
            -a -f 9 -r 198.51.100.2 -m
            """);
        var web = table.Find(IpvsServiceKey.Tcp(IPAddress.Parse("192.0.2.1"), 80))!;
        Assert.Equal(new IpvsServiceSettings("wlc", true, 300), web.Settings);
        Assert.Equal(new IpvsDestination(IPAddress.Parse("198.51.100.1"), 80, ForwardingMethod.DirectRoute, 3), web.Destinations.Single());
        Assert.Equal(0, table.Find(IpvsServiceKey.ForFirewallMark(9))!.Destinations.Single().Port);
    }

    [Theory]
    [InlineData("-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -q", "line 2: unknown destination option '-q'")]
    [InlineData("-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m", "line 1: destination for service tcp 192.0.2.1:80, which no earlier -A line defines")]
    [InlineData("-A -t 192.0.2.1:80\n-A -t 192.0.2.1:80 -s rr", "line 2: service tcp 192.0.2.1:80 is defined twice")]
    [InlineData("-A -t 192.0.2.1 -s rr", "line 1: '192.0.2.1' needs a port")]
    [InlineData("-A -t 2001:db8::1:80", "line 1: '2001:db8::1:80': write an IPv6 address in brackets, [ADDRESS]:PORT")]
    [InlineData("-A -t example.org:80", "line 1: 'example.org' is not an IP address (names are not looked up)")]
    [InlineData("-A -t 192.0.2.1:99999", "line 1: port '99999' must be a whole number from 0 to 65535")]
    [InlineData("-A -t 192.0.2.1:80 -s", "line 1: -s needs a scheduler name")]
    [InlineData("-A -s rr", "line 1: no service given: use -t, -u, --sctp-service or -f")]
    [InlineData("-A -t 192.0.2.1:80 -u 192.0.2.1:53", "line 1: a line names one service only")]
    [InlineData("-A -t 192.0.2.1:80 -p 30 -M 255.0.255.0", "line 1: netmask 255.0.255.0 is not contiguous")]
    [InlineData("-A -t 192.0.2.1:80 -b sh-sideways", "line 1: unknown scheduler flag 'sh-sideways'")]
    [InlineData("-E -t 192.0.2.1:80", "line 1: '-E' is not a rule: a line starts with -A (service) or -a (destination)")]
    [InlineData("-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.1:81 -g", "line 2: destination 198.51.100.1:81 uses -g, which cannot change the " +
        "port: use the service port 80")]
    [InlineData("-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.1 -m --tun-type gue", "line 2: tunnel options need -i (tunnel forwarding)")]
    [InlineData("-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-type gue", "line 2: a gue tunnel needs --tun-port")]
    [InlineData("-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.1 -w -1", "line 2: weight '-1' must be a whole number from 0 to 2147483647")]
    [InlineData("-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.1\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -w 2",
        "line 3: destination 198.51.100.1:80 is listed twice in service tcp 192.0.2.1:80")]
    public void A_bad_line_is_named_with_its_problem(string text, string message)
    {
        var e = Assert.Throws<IpvsRulesException>(() => IpvsRulesParser.Parse(text));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Changes_print_as_the_ipvsadm_commands_that_make_them()
    {
        var web = IpvsServiceKey.Tcp(IPAddress.Parse("192.0.2.1"), 80);
        var b1 = new IpvsDestination(IPAddress.Parse("198.51.100.1"), 80, ForwardingMethod.Masquerade, 2);
        Assert.Equal("-A -t 192.0.2.1:80 -s rr", IpvsRulesPrinter.Change(new AddService(web, new("rr"))));
        Assert.Equal("-E -t 192.0.2.1:80 -s wlc -p 300", IpvsRulesPrinter.Change(new EditService(web, new("wlc", true, 300))));
        Assert.Equal("-D -t 192.0.2.1:80", IpvsRulesPrinter.Change(new DeleteService(web)));
        Assert.Equal("-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 2", IpvsRulesPrinter.Change(new AddDestination(web, b1)));
        Assert.Equal("-e -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 2", IpvsRulesPrinter.Change(new EditDestination(web, b1)));
        Assert.Equal("-d -t 192.0.2.1:80 -r 198.51.100.1:80", IpvsRulesPrinter.Change(new DeleteDestination(web, b1.Key)));
    }
}
