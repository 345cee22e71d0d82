namespace ActorVip.Lab.Demo;

/// <summary>A probe window in which more than one MAC answered who-has VIP: two owners at once.</summary>
public readonly record struct DualWindow(TimeSpan From, TimeSpan To, IReadOnlyList<string> Macs)
{
    public TimeSpan Length => To - From;
}

/// <summary>
/// What the client saw, on its monotonic clock: echo replies from the VIP, who-has probes sent, and the ARP
/// answers to them. Pure: the analysis (silence, dual ownership, owner) is plain arithmetic over these lists.
/// </summary>
public sealed record Observation(IReadOnlyList<TimeSpan> Replies, IReadOnlyList<TimeSpan> Probes, IReadOnlyList<ArpAnswer> Answers, TimeSpan End,
    TimeSpan ProbeInterval)
{
    /// <summary>
    /// The longest time without an echo reply in [<paramref name="from"/>, <paramref name="to"/>], starting from the
    /// last reply before <paramref name="from"/> (the gap the fault falls in) and counting a silence that lasts to the end.
    /// </summary>
    public TimeSpan LongestSilence(TimeSpan from, TimeSpan to)
    {
        var (start, end) = LongestSilenceSpan(from, to);
        return end - start;
    }

    /// <summary>Where <see cref="LongestSilence"/> begins (the last reply before it) and ends (the first reply after it, or <paramref name="to"/>).</summary>
    public (TimeSpan Start, TimeSpan End) LongestSilenceSpan(TimeSpan from, TimeSpan to)
    {
        var previous = from;
        foreach (var r in Replies) if (r <= from) previous = r;
        var longest = (Start: previous, End: previous);
        foreach (var r in Replies)
        {
            if (r <= from) continue;
            if (r > to) break;
            if (r - previous > longest.End - longest.Start) longest = (previous, r);
            previous = r;
        }
        return to - previous > longest.End - longest.Start ? (previous, to) : longest;
    }

    /// <summary>The first echo reply after <paramref name="at"/>, if any.</summary>
    public TimeSpan? FirstReplyAfter(TimeSpan at)
    {
        foreach (var r in Replies) if (r > at) return r;
        return null;
    }

    /// <summary>Probe windows (from one probe to the next) in which two or more different MACs answered.</summary>
    public IReadOnlyList<DualWindow> DualOwnership()
    {
        var byWindow = new SortedDictionary<int, HashSet<string>>();
        foreach (var a in Answers)
        {
            var i = WindowOf(a.At);
            if (i < 0) continue;
            if (!byWindow.TryGetValue(i, out var macs)) byWindow[i] = macs = new HashSet<string>();
            macs.Add(a.Mac);
        }
        return byWindow.Where(kv => kv.Value.Count > 1)
            .Select(kv => new DualWindow(Probes[kv.Key], kv.Key + 1 < Probes.Count ? Probes[kv.Key + 1] : Probes[kv.Key] + ProbeInterval,
                kv.Value.Order().ToList()))
            .ToList();
    }

    public TimeSpan DualOwnershipTime => DualOwnership().Aggregate(TimeSpan.Zero, (sum, w) => sum + w.Length);

    /// <summary>The MACs that answered in [<paramref name="from"/>, <paramref name="to"/>], in order of their first answer.</summary>
    public IReadOnlyList<string> OwnersBetween(TimeSpan from, TimeSpan to) =>
        Answers.Where(a => a.At >= from && a.At <= to).Select(a => a.Mac).Distinct().ToList();

    /// <summary>When <paramref name="mac"/> first answered after <paramref name="at"/>.</summary>
    public TimeSpan? FirstAnswerFrom(string mac, TimeSpan at)
    {
        foreach (var a in Answers) if (a.At > at && a.Mac == mac) return a.At;
        return null;
    }

    private int WindowOf(TimeSpan at)
    {
        var lo = 0;
        var hi = Probes.Count - 1;
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (Probes[mid] <= at) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }
}
