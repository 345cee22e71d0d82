using ActorVip.Node.Ipvs;

namespace ActorVip.Tests.Ipvs;

/// <summary>
/// A model of the kernel's IPVS table for unit tests: it carries out operations one by one and refuses, as
/// ip_vs_ctl.c does, adding what exists (EEXIST) and touching what does not (ESRCH, ENOENT).
/// </summary>
internal static class KernelModel
{
    public static IpvsTable Run(IpvsTable start, IEnumerable<IpvsOperation> operations)
    {
        var services = start.Services.ToDictionary(
            s => s.Key,
            s => (s.Settings, Destinations: s.Destinations.ToDictionary(d => d.Key)));
        foreach (var op in operations)
        {
            switch (op)
            {
                case AddService add:
                    if (!services.TryAdd(add.Service, (add.Settings, new()))) throw new InvalidOperationException($"EEXIST: {op}");
                    break;
                case EditService edit:
                    if (!services.TryGetValue(edit.Service, out var edited)) throw new InvalidOperationException($"ESRCH: {op}");
                    services[edit.Service] = (edit.Settings, edited.Destinations);
                    break;
                case DeleteService delete:
                    if (!services.Remove(delete.Service)) throw new InvalidOperationException($"ESRCH: {op}");
                    break;
                case AddDestination add:
                    if (!services.TryGetValue(add.Service, out var s1)) throw new InvalidOperationException($"ESRCH: {op}");
                    if (!s1.Destinations.TryAdd(add.Destination.Key, add.Destination)) throw new InvalidOperationException($"EEXIST: {op}");
                    break;
                case EditDestination edit:
                    if (!services.TryGetValue(edit.Service, out var s2)) throw new InvalidOperationException($"ESRCH: {op}");
                    if (!s2.Destinations.ContainsKey(edit.Destination.Key)) throw new InvalidOperationException($"ENOENT: {op}");
                    s2.Destinations[edit.Destination.Key] = edit.Destination;
                    break;
                case DeleteDestination delete:
                    if (!services.TryGetValue(delete.Service, out var s3)) throw new InvalidOperationException($"ESRCH: {op}");
                    if (!s3.Destinations.Remove(delete.Destination)) throw new InvalidOperationException($"ENOENT: {op}");
                    break;
            }
        }
        return new IpvsTable(services.Select(kv => new IpvsService(kv.Key, kv.Value.Settings, kv.Value.Destinations.Values.ToArray())));
    }

    /// <summary>Same services, settings and destinations, in any order.</summary>
    public static bool Same(IpvsTable a, IpvsTable b) =>
        a.Count == b.Count && a.Services.All(s => b.Find(s.Key) is { } o
            && o.Settings == s.Settings
            && o.Destinations.Count == s.Destinations.Count
            && s.Destinations.All(d => o.Destinations.Contains(d)));
}
