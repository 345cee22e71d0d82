namespace ActorVip.Ownership;

/// <summary>
/// The quorum lease's timing and voter count. Immutable; <see cref="Validate"/> runs in the constructor,
/// so an instance that exists is a usable one.
/// </summary>
public sealed record LeaseSettings
{
    // A voter's promise (lease-time + margin, 800 ms) sets crash failover; lease-time - renew-interval (450 ms) is how
    // long renewals may stall before a healthy owner's lease lapses. 700/250/100 keeps both of the design's 600/150/200
    // and sends 40 % fewer renewals (the largest part of an idle owner's CPU). What it gives up is margin: it covers a
    // 6.7 % clock rate difference (LeaseTimings.MaxClockRateDrift) instead of 14 %, where the monotonic clocks of
    // NTP-disciplined hosts differ by under 0.1 % (each is slewed by at most 500 ppm).
    public static readonly TimeSpan DefaultLeaseTime = TimeSpan.FromMilliseconds(700);
    public static readonly TimeSpan DefaultRenewInterval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan DefaultMargin = TimeSpan.FromMilliseconds(100);

    /// <summary>The most voters supported; the masters of a cluster are 3 or 5, rarely 7 or 9.</summary>
    public const int MaxVoters = 9;

    public LeaseSettings(int voters, TimeSpan? leaseTime = null, TimeSpan? renewInterval = null, TimeSpan? margin = null)
        : this(voters, leaseTime, renewInterval, margin, MinMargin)
    {
    }

    private LeaseSettings(int voters, TimeSpan? leaseTime, TimeSpan? renewInterval, TimeSpan? margin, TimeSpan minMargin)
    {
        Voters = voters;
        LeaseTime = leaseTime ?? DefaultLeaseTime;
        RenewInterval = renewInterval ?? DefaultRenewInterval;
        Margin = margin ?? DefaultMargin;
        var error = Check(Voters, LeaseTime, RenewInterval, Margin, minMargin);
        if (error is not null)
            throw new ArgumentException(error);
    }

    /// <summary>
    /// Settings below the margin floor, for the ownership model's tests only: they show what the floor is for (with a
    /// zero margin, clock drift lets two owners overlap). Nothing a node runs is built this way.
    /// </summary>
    internal static LeaseSettings BelowMarginFloor(int voters, TimeSpan margin) => new(voters, null, null, margin, TimeSpan.Zero);

    /// <summary>The configured number of voters N (the <c>vip</c> nodes), never the number that is up.</summary>
    public int Voters { get; }

    /// <summary>How long a renewal keeps the owner's lease valid, counted from when the owner SENT it.</summary>
    public TimeSpan LeaseTime { get; }

    /// <summary>How often the owner sends a renewal to every voter.</summary>
    public TimeSpan RenewInterval { get; }

    /// <summary>Extra time a voter's promise lasts beyond <see cref="LeaseTime"/>; covers clock rate drift.</summary>
    public TimeSpan Margin { get; }

    /// <summary>N/2 + 1 of the configured N: any two majorities share a voter.</summary>
    public int Majority => Voters / 2 + 1;

    /// <summary>How long a voter's ack binds it (counted from when it RECEIVED the renewal).</summary>
    public TimeSpan PromiseTime => LeaseTime + Margin;

    /// <summary>The shortest lease-time accepted: below it, a renewal round trip and a scheduling delay would eat the lease.</summary>
    public static readonly TimeSpan MinLeaseTime = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The shortest margin accepted. The margin is what keeps a voter's promise (counted on its clock) outlasting the
    /// owner's lease (counted on the owner's): with none, any clock rate difference can overlap two owners. 20 ms covers
    /// a 2.8 % rate difference at the default lease-time, against under 0.1 % between NTP-disciplined hosts.
    /// </summary>
    public static readonly TimeSpan MinMargin = TimeSpan.FromMilliseconds(20);

    /// <summary>The longest lease-time accepted: a crashed owner's VIP is silent for lease-time + margin.</summary>
    public static readonly TimeSpan MaxLeaseTime = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The one validation of the lease settings, for `actorvip run` and for code: the error a user would see, as one
    /// sentence naming the setting, the value and the fix; null when valid.
    /// </summary>
    public static string? Validate(int voters, TimeSpan leaseTime, TimeSpan renewInterval, TimeSpan margin) =>
        Check(voters, leaseTime, renewInterval, margin, MinMargin);

    private static string? Check(int voters, TimeSpan leaseTime, TimeSpan renewInterval, TimeSpan margin, TimeSpan minMargin)
    {
        if (voters < 1 || voters > MaxVoters)
            return $"nodes: {voters} is not a number of voting nodes (expected 1 to {MaxVoters}, usually 3 or 5: every voting node, each listed as a seed)";
        if (leaseTime < MinLeaseTime)
            return $"lease.lease-time: {Ms(leaseTime)} is too short (expected at least {Ms(MinLeaseTime)}; about 700ms is usual)";
        if (leaseTime > MaxLeaseTime)
            return $"lease.lease-time: {Ms(leaseTime)} is too long (expected at most {Ms(MaxLeaseTime)}: a crashed owner's VIP stays silent that " +
                "long; about 700ms is usual)";
        if (renewInterval <= TimeSpan.Zero)
            return $"lease.renew-interval: {Ms(renewInterval)} is not positive (expected about a third of lease.lease-time)";
        if (renewInterval * 2 >= leaseTime)
            return $"lease.renew-interval: {Ms(renewInterval)} is not less than half of lease.lease-time ({Ms(leaseTime)}), so one lost renewal would drop " +
                "the VIP; lower lease.renew-interval or raise lease.lease-time";
        if (margin < minMargin)
            return $"lease.margin: {Ms(margin)} is too short (expected at least {Ms(minMargin)}, about 100ms is usual: it covers the clock rate " +
                "difference between the nodes, and with none two nodes can hold a VIP at once); raise lease.margin";
        // A voter acks nobody for lease-time + margin after it starts; a margin beyond the lease covers no real clock
        // (it would mean one runs at under half the other's rate) and only keeps a new cluster from ever acquiring.
        if (margin > leaseTime)
            return $"lease.margin: {Ms(margin)} is longer than lease.lease-time ({Ms(leaseTime)}) (expected about 100ms; a voter that starts acks " +
                "nobody for lease-time + margin)";
        return null;
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0.###}ms";
}
