using ActorVip.Node.Ipvs;

namespace ActorVip.Node.Linux.Ipvs;

/// <summary>
/// Makes the kernel's IPVS table match a desired table: reads it, applies <see cref="IpvsTable.ChangesFrom"/>,
/// and when the kernel refuses a change part-way, puts back what the change had touched, so nothing is left half-applied.
/// </summary>
public static class IpvsReconciler
{
    /// <returns>The changes made; empty when the kernel already matched.</returns>
    /// <exception cref="IpvsException">A change was refused; the services it touched are as they were before.</exception>
    public static IReadOnlyList<IpvsOperation> Apply(IpvsClient client, IpvsTable desired, Func<IpvsServiceKey, bool> owned)
    {
        var before = client.List();
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
                throw new IpvsException($"{failure.Message}; putting back the services it touched also failed: {undo.Message}", failure.Errno, failure.Operation, failure);
            }
            throw;
        }
        return changes;
    }
}
