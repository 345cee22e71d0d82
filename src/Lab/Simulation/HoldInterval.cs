namespace ActorVip.Lab.Simulation;

/// <summary>
/// A span in which <paramref name="Node"/> held <paramref name="Vip"/>: its address present and (when the node
/// is fenced) its fence element unexpired. <paramref name="Ongoing"/>: still held at the horizon it was computed for.
/// </summary>
public sealed record HoldInterval(string Node, string Vip, TimeSpan Start, TimeSpan End, bool Ongoing)
{
    public bool Contains(TimeSpan t) => Start <= t && t < End;

    public override string ToString() => $"{Node} held {Vip} {Start.TotalMilliseconds:0.0}..{End.TotalMilliseconds:0.0}ms{(Ongoing ? " (still)" : "")}";
}
