using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorVip.Node.Logging;

/// <summary>
/// Splits an Akka log template such as "lease granted vip={0} epoch={1} node={2}" into the message
/// ("lease granted") and fields (vip, epoch, node): every `key={N}` token becomes a field, the rest is the message.
/// </summary>
public static partial class LogTemplate
{
    [GeneratedRegex(@"(?<=^|\s)(?<key>[a-z][a-z0-9_.-]*)=\{(?<index>\d+)(?<format>:[^}]*)?\}(?<suffix>[^\s,;:]*)")]
    private static partial Regex FieldToken();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?<format>:[^}]*)?\}")]
    private static partial Regex NamedHole();

    /// <summary>Akka's own semantic templates ("[Reason:{Reason}]") bind by position: {Reason} is {0}, the next hole {1}.</summary>
    private static string Numbered(string template)
    {
        var next = 0;
        return template.Contains("{0", StringComparison.Ordinal)
            ? template
            : NamedHole().Replace(template, m => "{" + (next++).ToString(CultureInfo.InvariantCulture) + m.Groups["format"].Value + "}");
    }

    public static (string Message, IReadOnlyList<KeyValuePair<string, string>> Fields) Split(string template, IReadOnlyList<object?> args)
    {
        var fields = new List<KeyValuePair<string, string>>();
        var rest = FieldToken().Replace(Numbered(template), m =>
        {
            var index = int.Parse(m.Groups["index"].Value, CultureInfo.InvariantCulture);
            var value = index < args.Count ? FormatArg(args[index], m.Groups["format"].Value) : "";
            fields.Add(new(m.Groups["key"].Value, value + m.Groups["suffix"].Value));
            return "";
        });
        string message;
        try
        {
            message = string.Format(CultureInfo.InvariantCulture, rest, args.ToArray());
        }
        catch (FormatException)
        {
            message = rest;
        }
        // "lease lost ; dropping" -> "lease lost; dropping": removing tokens leaves stray spaces before punctuation.
        message = Spaces().Replace(message, " ").Replace(" ;", ";").Replace(" :", ":").Replace(" ,", ",").Trim().Trim(':', ';', ',').Trim();
        return (message, fields);
    }

    private static string FormatArg(object? arg, string format) => arg switch
    {
        null => "",
        IFormattable f when format.Length > 1 => f.ToString(format[1..], CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => arg.ToString() ?? "",
    };
}
