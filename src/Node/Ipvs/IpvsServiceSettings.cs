namespace ActorVip.Node.Ipvs;

/// <summary>
/// The editable part of a virtual service. <see cref="Timeout"/> and <see cref="NetmaskBits"/> are kept as the
/// kernel holds them even when the service is not persistent, so that what is written reads back equal.
/// </summary>
/// <param name="NetmaskBits">Persistence granularity as a prefix length; null for the whole address (/32, /128).</param>
public sealed record IpvsServiceSettings(
    string Scheduler,
    bool Persistent = false,
    uint Timeout = 0,
    byte? NetmaskBits = null,
    bool OnePacket = false,
    SchedulerFlags SchedulerFlags = SchedulerFlags.None,
    string? PersistenceEngine = null)
{
    public const string DefaultScheduler = "wlc";
    public const uint DefaultPersistence = 300;

    public static IpvsServiceSettings Default { get; } = new(DefaultScheduler);

    /// <summary>The prefix length the kernel gets for an address family.</summary>
    public int PrefixLength(bool ipv6) => NetmaskBits ?? (ipv6 ? 128 : 32);

    /// <summary>A prefix length as these settings hold it: null when it covers the whole address.</summary>
    public static byte? Netmask(int prefixLength, bool ipv6) => prefixLength == (ipv6 ? 128 : 32) ? null : (byte)prefixLength;
}
