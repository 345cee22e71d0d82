namespace ActorVip.Tests.Linux;

/// <summary>Turns a tcpdump -xx or strace dump ("ffff ffff 12dd ...") into bytes.</summary>
internal static class Hex
{
    public static byte[] Bytes(string dump) =>
        Convert.FromHexString(string.Concat(dump.Where(Uri.IsHexDigit)));
}
