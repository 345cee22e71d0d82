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
    {
        Voters = voters;
        LeaseTime = leaseTime ?? DefaultLeaseTime;
        RenewInterval = renewInterval ?? DefaultRenewInterval;
        Margin = margin ?? DefaultMargin;
        var error = Validate(Voters, LeaseTime, RenewInterval, Margin);
        if (error is not null)
            throw new ArgumentException(error);
    }

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

    /// <summary>
    /// The error a user would see for these values, as one sentence naming the cause and the fix; null when valid.
    /// </summary>
    public static string? Validate(int voters, TimeSpan leaseTime, TimeSpan renewInterval, TimeSpan margin)
    {
        if (voters < 1 || voters > MaxVoters)
            return $"voters is {voters}, but it must be the number of configured vip nodes, from 1 to {MaxVoters} (3 or 5 is usual); fix the voter list.";
        if (leaseTime <= TimeSpan.Zero)
            return $"lease-time is {Ms(leaseTime)}, but it must be positive; set it to about 700ms.";
        if (renewInterval <= TimeSpan.Zero)
            return $"renew-interval is {Ms(renewInterval)}, but it must be positive; set it to about a quarter of lease-time.";
        if (renewInterval * 2 >= leaseTime)
            return $"renew-interval ({Ms(renewInterval)}) must be less than half of lease-time ({Ms(leaseTime)}) so that one lost renewal does not drop the VIP; lower renew-interval or raise lease-time.";
        if (margin < TimeSpan.Zero)
            return $"margin is {Ms(margin)}, but it cannot be negative; set it to 0 or more (about 200ms covers clock drift and scheduling delays).";
        return null;
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0.###}ms";
}
