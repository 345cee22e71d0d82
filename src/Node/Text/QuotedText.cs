using System.Globalization;
using System.Text;

namespace ActorVip.Node.Text;

/// <summary>A double-quoted string with C-style escapes (\" \\ \n \r \t \uXXXX): valid in HOCON and in logfmt, and always one line.</summary>
public static class QuotedText
{
    public static string Quote(string value) => Append(new StringBuilder(value.Length + 2), value).ToString();

    public static StringBuilder Append(StringBuilder b, string value)
    {
        b.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else b.Append(c);
                    break;
            }
        }
        return b.Append('"');
    }
}
