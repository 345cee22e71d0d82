using System.Net;
using System.Net.NetworkInformation;
using ActorVip.Node.Configuration;
using ActorVip.Node.Drivers;
using ActorVip.Ownership;

namespace ActorVip.Tests.Actors;

/// <summary>Every VIP's periodic address check shares one listing of the interface for 100 ms (issue 15, 1,000 VIPs).</summary>
public class SharedAddressListingTests
{
    private sealed class ManualClock : IMonotonicClock
    {
        public TimeSpan Now { get; set; } = TimeSpan.FromSeconds(1);
    }

    private static readonly InterfaceInfo Eth0 = new("eth0", 7, PhysicalAddress.None, 1500, true, true);

    private static readonly List<VipAddress> Vips =
        Enumerable.Range(0, 500).Select(i => new VipAddress(IPAddress.Parse($"10.{i / 250}.{i % 250}.1"), 32)).ToList();

    /// <summary>The kernel as a set of addresses, counting how often it is listed (every Has of a real driver lists).</summary>
    private sealed class CountingKernel : IAddressDriver
    {
        public readonly HashSet<IPAddress> Addresses = new();
        public int Listings;

        public IEnumerable<IPAddress> List(InterfaceInfo link)
        {
            Listings++;
            return Addresses.ToList();
        }

        public void Add(InterfaceInfo link, VipAddress vip, TimeSpan? validLifetime) => Addresses.Add(vip.Address);
        public void Remove(InterfaceInfo link, VipAddress vip) => Addresses.Remove(vip.Address);
        public bool Has(InterfaceInfo link, VipAddress vip) => List(link).Contains(vip.Address);
    }

    [Fact]
    public void Five_hundred_checks_within_100_ms_list_the_interface_once()
    {
        var kernel = new CountingKernel();
        foreach (var vip in Vips) kernel.Add(Eth0, vip, null);
        // The driver itself (what each VipActor asked before): one listing per VIP.
        Assert.All(Vips, vip => Assert.True(kernel.Has(Eth0, vip)));
        Assert.Equal(500, kernel.Listings);

        kernel.Listings = 0;
        var clock = new ManualClock();
        var shared = new SharedAddressListing(kernel, kernel.List, clock);
        foreach (var vip in Vips)
        {
            Assert.True(shared.Has(Eth0, vip));
            clock.Now += TimeSpan.FromMilliseconds(0.1);
        }
        Assert.Equal(1, kernel.Listings);
    }

    [Fact]
    public void Its_own_changes_are_seen_at_once_and_someone_elses_within_100_ms()
    {
        var kernel = new CountingKernel();
        var clock = new ManualClock();
        var shared = new SharedAddressListing(kernel, kernel.List, clock);
        Assert.False(shared.Has(Eth0, Vips[0]));
        shared.Add(Eth0, Vips[0], null);
        Assert.True(shared.Has(Eth0, Vips[0]));

        kernel.Addresses.Clear(); // someone else removed it
        clock.Now += SharedAddressListing.MaxAge;
        Assert.False(shared.Has(Eth0, Vips[0]));
        Assert.Equal(2, kernel.Listings);
    }
}
