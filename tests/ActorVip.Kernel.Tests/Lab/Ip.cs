using System.Text.Json;

namespace ActorVip.Kernel.Tests.Lab;

/// <summary>What iproute2 (`ip -j`) reports inside a lab namespace: the independent view the drivers are checked against.</summary>
public static class Ip
{
    public sealed record Address(string Local, int PrefixLength, bool Deprecated, bool NoDad, bool NoPrefixRoute, long Preferred, long Valid);

    public sealed record Link(int Index, string Mac, int Mtu, string OperState);

    public static IReadOnlyList<Address> Addresses(NetworkLab lab, string ns, string device = "eth0")
    {
        using var json = JsonDocument.Parse(lab.Exec(ns, "ip", "-j", "addr", "show", "dev", device).ThrowIfFailed("ip -j addr").Stdout);
        return json.RootElement[0].GetProperty("addr_info").EnumerateArray().Select(a => new Address(
            a.GetProperty("local").GetString()!,
            a.GetProperty("prefixlen").GetInt32(),
            Flag(a, "deprecated"),
            Flag(a, "nodad"),
            Flag(a, "noprefixroute"),
            a.GetProperty("preferred_life_time").GetInt64(),
            a.GetProperty("valid_life_time").GetInt64())).ToList();
    }

    public static Address? FindAddress(NetworkLab lab, string ns, string local, string device = "eth0") =>
        Addresses(lab, ns, device).FirstOrDefault(a => a.Local == local);

    public static Link GetLink(NetworkLab lab, string ns, string device = "eth0")
    {
        using var json = JsonDocument.Parse(lab.Exec(ns, "ip", "-j", "link", "show", "dev", device).ThrowIfFailed("ip -j link").Stdout);
        var l = json.RootElement[0];
        return new Link(l.GetProperty("ifindex").GetInt32(), l.GetProperty("address").GetString()!, l.GetProperty("mtu").GetInt32(),
            l.GetProperty("operstate").GetString()!);
    }

    /// <summary>The MAC the namespace's neighbour table holds for <paramref name="address"/>, or null.</summary>
    public static string? NeighborMac(NetworkLab lab, string ns, string address, string device = "eth0")
    {
        using var json = JsonDocument.Parse(lab.Exec(ns, "ip", "-j", "neigh", "show", "to", address, "dev", device).ThrowIfFailed("ip -j neigh").Stdout);
        foreach (var n in json.RootElement.EnumerateArray())
            if (n.TryGetProperty("lladdr", out var mac)) return mac.GetString();
        return null;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds or a generous bound passes.</summary>
    public static bool Eventually(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (condition()) return true;
            if (DateTime.UtcNow >= deadline) return false;
            Thread.Sleep(100);
        }
    }

    private static bool Flag(JsonElement a, string name) => a.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
