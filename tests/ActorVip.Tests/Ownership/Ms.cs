namespace ActorVip.Tests.Ownership;

/// <summary>Milliseconds as TimeSpan, so that test tables read like timelines.</summary>
internal static class Ms
{
    public static TimeSpan At(double ms) => TimeSpan.FromMilliseconds(ms);
}
