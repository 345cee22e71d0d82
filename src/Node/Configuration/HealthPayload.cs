using System.Text;

namespace ActorVip.Node.Configuration;

/// <summary>The bytes of a UDP check's request or expected reply: text as UTF-8, or "hex:" followed by hex digits (a DNS query, say).</summary>
public static class HealthPayload
{
    public const string HexPrefix = "hex:";

    public static bool TryDecode(string text, out byte[] bytes)
    {
        if (!text.StartsWith(HexPrefix, StringComparison.OrdinalIgnoreCase))
        {
            bytes = Encoding.UTF8.GetBytes(text);
            return true;
        }
        var hex = text[HexPrefix.Length..].Replace(" ", "", StringComparison.Ordinal);
        try
        {
            bytes = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    public static byte[] Decode(string text) => TryDecode(text, out var bytes) ? bytes : throw new FormatException($"'{text}' is not a payload");
}
