namespace ActorVip.Messages.Ownership;

// The quorum lease (DESIGN.md, ownership protocol 3). Node ids are Akka address strings.

/// <summary>
/// Owner to every voter, every renew-interval: "promise me <paramref name="Vip"/> at <paramref name="Epoch"/>". A voter
/// promises (or refuses) as always; it answers an ack only when <paramref name="AckWanted"/>, since the owner needs acks
/// from a majority only. Refusals are always answered.
/// </summary>
public sealed record Renew(string Vip, long Epoch, string Owner, long RenewalId, bool AckWanted = true);

/// <summary>Voter to owner: promised; the voter acks nobody else for this VIP until lease-time + margin from now.</summary>
public sealed record RenewAck(string Vip, long Epoch, string Voter, long RenewalId);

/// <summary>Voter to owner: refused, with what the voter knows.</summary>
public sealed record RenewNack(string Vip, long Epoch, string Voter, long RenewalId, NackReason Reason, long HighestEpoch, string? PromisedTo);

public enum NackReason
{
    /// <summary>The voter started less than lease-time + margin ago and cannot know what it promised before.</summary>
    Restarting,
    /// <summary>A higher epoch of this VIP exists: it was placed again, elsewhere or here.</summary>
    StaleEpoch,
    /// <summary>The voter's promise to another owner has not run out yet.</summary>
    PromisedToOther,
    /// <summary>This owner released this epoch moments ago; a late renewal must not bind the voter again.</summary>
    Released,
}

/// <summary>Owner to every voter after it dropped the VIP: the promise may go at once (graceful handover).</summary>
public sealed record ReleaseLease(string Vip, long Epoch, string Owner);

/// <summary>Allocator to voter: what have you promised? Answered with <see cref="VoterPromises"/>.</summary>
public sealed record GetPromises
{
    public static readonly GetPromises Instance = new();
}

public sealed record VoterPromises(string Voter, IReadOnlyList<PromiseInfo> Promises);

/// <summary>One VIP as a voter sees it: its live promise (PromisedTo null when none) and the highest epoch seen.</summary>
public sealed record PromiseInfo(string Vip, string? PromisedTo, long PromisedEpoch, TimeSpan PromiseRemaining, long HighestEpoch, string? HighestEpochOwner);
