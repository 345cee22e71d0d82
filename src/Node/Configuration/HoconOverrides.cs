using System.Text;
using ActorVip.Node.Text;

namespace ActorVip.Node.Configuration;

/// <summary>Builds HOCON text from key/value overrides, quoting every value so none is read as HOCON syntax.</summary>
public sealed class HoconOverrides
{
    private readonly StringBuilder _text = new();

    public bool IsEmpty => _text.Length == 0;

    public HoconOverrides Set(string path, string value)
    {
        _text.Append(path).Append(" = ").Append(Quote(value)).Append('\n');
        return this;
    }

    public HoconOverrides SetList(string path, IEnumerable<string> values)
    {
        _text.Append(path).Append(" = [").Append(string.Join(", ", values.Select(Quote))).Append("]\n");
        return this;
    }

    public override string ToString() => _text.ToString();

    private static string Quote(string value) => QuotedText.Quote(value);
}
