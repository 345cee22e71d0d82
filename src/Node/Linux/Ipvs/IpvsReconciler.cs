using ActorVip.Node.Ipvs;

namespace ActorVip.Node.Linux.Ipvs;

/// <summary>
/// Makes the kernel's IPVS table match a desired table: reads it (or takes the table this process last applied),
/// applies <see cref="IpvsTable.ChangesFrom"/>, and when the kernel refuses a change part-way, puts back what the
/// change had touched, so nothing is left half-applied.
/// </summary>
public static class IpvsReconciler
{
    /// <returns>The changes made; empty when the kernel already matched.</returns>
    /// <exception cref="IpvsException">A change was refused; the services it touched are as they were before.</exception>
    public static IReadOnlyList<IpvsOperation> Apply(IpvsClient client, IpvsTable desired, Func<IpvsServiceKey, bool> owned) =>
        Apply(client, desired, owned, client.List());

    /// <summary>
    /// The same from a table known to be in the kernel, such as the one this process applied last, without reading
    /// the kernel (reading costs one round trip per service). Only for a process that alone changes the table.
    /// </summary>
    public static IReadOnlyList<IpvsOperation> Apply(IpvsClient client, IpvsTable desired, Func<IpvsServiceKey, bool> owned, IpvsTable before)
    {
        var changes = desired.ChangesFrom(before, owned);
        try
        {
            client.Execute(changes);
        }
        catch (IpvsException failure)
        {
            var touched = changes.Select(c => c.Service).ToHashSet();
            try
            {
                client.Execute(before.Where(touched.Contains).ChangesFrom(client.List(), touched.Contains));
            }
            catch (IpvsException undo)
            {
                throw new IpvsException($"{failure.Message}; putting back the services it touched also failed: {undo.Message}", failure.Errno,
                    failure.Operation, failure);
            }
            throw;
        }
        return changes;
    }
}
