namespace ActorVip.Node.Ipvs;

/// <summary>
/// A set of virtual services with their destinations, keyed by service and destination identity; pure, no I/O.
/// <see cref="ChangesFrom"/> is the whole reconciliation decision: the IPVS actor and the ops command only carry it out.
/// </summary>
public sealed class IpvsTable
{
    private readonly Dictionary<IpvsServiceKey, IpvsService> _services;

    public IpvsTable(IEnumerable<IpvsService> services)
    {
        _services = new Dictionary<IpvsServiceKey, IpvsService>();
        foreach (var service in services)
        {
            if (!_services.TryAdd(service.Key, service))
                throw new ArgumentException($"Service {service.Key} is listed twice.", nameof(services));
            var seen = new HashSet<IpvsDestinationKey>();
            foreach (var destination in service.Destinations)
            {
                if (!seen.Add(destination.Key))
                    throw new ArgumentException($"Destination {destination.Key} is listed twice in service {service.Key}.", nameof(services));
            }
        }
    }

    public static IpvsTable Empty { get; } = new([]);

    public IReadOnlyCollection<IpvsService> Services => _services.Values;

    public int Count => _services.Count;

    public IpvsService? Find(IpvsServiceKey key) => _services.GetValueOrDefault(key);

    /// <summary>This table without the services that <paramref name="keep"/> rejects.</summary>
    public IpvsTable Where(Func<IpvsServiceKey, bool> keep) => new(_services.Values.Where(s => keep(s.Key)));

    /// <summary>
    /// The fewest operations that turn <paramref name="actual"/> into this table, in a safe order: services are added
    /// or edited first, then destinations added or edited, then destinations removed, then services removed.
    /// Everything that differs only in editable settings is edited in place, so live connections survive.
    /// Every service of this table is made exactly as written; a service that is only in <paramref name="actual"/>
    /// is deleted when <paramref name="owned"/> claims it and left alone otherwise.
    /// </summary>
    public IReadOnlyList<IpvsOperation> ChangesFrom(IpvsTable actual, Func<IpvsServiceKey, bool> owned)
    {
        var services = new List<IpvsOperation>();
        var destinations = new List<IpvsOperation>();
        var destinationRemovals = new List<IpvsOperation>();
        var serviceRemovals = new List<IpvsOperation>();

        foreach (var wanted in _services.Values)
        {
            var existing = actual.Find(wanted.Key);
            if (existing is null)
            {
                services.Add(new AddService(wanted.Key, wanted.Settings));
                destinations.AddRange(wanted.Destinations.Select(d => new AddDestination(wanted.Key, d)));
                continue;
            }
            if (existing.Settings != wanted.Settings) services.Add(new EditService(wanted.Key, wanted.Settings));
            if (SameInOrder(existing.Destinations, wanted.Destinations)) continue;

            var present = existing.Destinations.ToDictionary(d => d.Key);
            foreach (var destination in wanted.Destinations)
            {
                if (!present.Remove(destination.Key, out var current))
                    destinations.Add(new AddDestination(wanted.Key, destination));
                else if (current != destination)
                    destinations.Add(new EditDestination(wanted.Key, destination));
            }
            // Removals go in ipvsadm's order, not the kernel's hash order, so that the same tables give the same plan.
            var gone = present.Values.ToList();
            gone.Sort(IpvsOrder.CompareDestinations);
            destinationRemovals.AddRange(gone.Select(d => new DeleteDestination(wanted.Key, d.Key)));
        }

        var unlisted = actual.Services.Where(s => !_services.ContainsKey(s.Key) && owned(s.Key)).ToList();
        unlisted.Sort(IpvsOrder.CompareServices);
        serviceRemovals.AddRange(unlisted.Select(s => new DeleteService(s.Key)));

        return [.. services, .. destinations, .. destinationRemovals, .. serviceRemovals];
    }

    /// <summary>Equal destinations in the same order, the usual case for most services of a table: no lookup needed.</summary>
    private static bool SameInOrder(IReadOnlyList<IpvsDestination> a, IReadOnlyList<IpvsDestination> b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] != b[i]) return false;
        }
        return true;
    }
}
