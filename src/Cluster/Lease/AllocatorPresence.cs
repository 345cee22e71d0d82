namespace ActorVip.Ownership;

/// <summary>
/// The allocator renews a promise at every voter under a reserved key, as an owner renews a VIP, so that each node's
/// own voter knows within one promise-time whether an allocator is alive and reaches it (and the allocator, from the
/// answers, which voters are with it: <see cref="VoterContact"/>). A node whose voter sees neither the allocator's nor
/// a VIP's owner's promise may then place that VIP itself (<see cref="DeputyPlacement"/>) instead of waiting seconds for
/// Akka's failure detector, the split brain resolver and the singleton's hand-over (issue 13 §1). The record is only a
/// signal: nothing is fenced or held under it.
/// </summary>
public static class AllocatorPresence
{
    /// <summary>The reserved key. It can never be a VIP: a VIP is an IP address.</summary>
    public const string Key = "allocator";

    public static bool IsKey(string vip) => string.Equals(vip, Key, StringComparison.Ordinal);

    /// <summary>A voter's records without the presence key: what recovery, placement and status work with.</summary>
    public static IEnumerable<PromiseInfo> VipsOnly(this IEnumerable<PromiseInfo> promises) => promises.Where(p => !IsKey(p.Vip));

    /// <summary>The presence record in a voter's snapshot, if that voter ever heard from an allocator.</summary>
    public static PromiseInfo? Of(VoterPromises snapshot) => snapshot.Promises.FirstOrDefault(p => IsKey(p.Vip));
}
