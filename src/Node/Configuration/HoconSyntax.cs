using System.Text;

namespace ActorVip.Node.Configuration;

/// <summary>
/// Checks the text of a config file before Akka's HOCON parser reads it. Akka 1.5's parser stops without a word at a
/// stray '}', reads an unclosed quote or a key without a value as something else, treats an include it cannot read as
/// nothing, and overflows the stack on some substitutions; each would be a setting silently lost or a crash. So a
/// config file is plain HOCON: objects, arrays, quoted and unquoted values, comments; no include, no ${substitution},
/// no null. The first problem is one line naming the line number.
/// </summary>
public static class HoconSyntax
{
    private enum Kind
    {
        OpenBrace,
        CloseBrace,
        OpenBracket,
        CloseBracket,
        Separator,
        Comma,
        Newline,
        Text,
        Quoted,
        End,
    }

    private readonly record struct Token(Kind Kind, string Text, int Line);

    /// <summary>Throws a ConfigException "SOURCE line N: problem (fix)" at the first problem.</summary>
    public static void Check(string text, string source)
    {
        try
        {
            new Checker(Tokens(text).ToList()).Root();
        }
        catch (SyntaxError e)
        {
            throw new ConfigException($"{source} line {e.Line}: {e.Message}");
        }
    }

    private sealed class SyntaxError(int line, string message) : Exception(message)
    {
        public int Line { get; } = line;
    }

    private static IEnumerable<Token> Tokens(string text)
    {
        var line = 1;
        var i = 0;
        // Whether the next word is a key (true) or part of a value: ':' separates a key from its value, but inside a
        // value (a HOST:PORT, an IPv6 address) it is text, as Akka reads it.
        var keyPosition = true;
        var depth = new Stack<Kind>();
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                yield return new Token(Kind.Newline, "\n", line++);
                i++;
                keyPosition = depth.Count == 0 || depth.Peek() == Kind.OpenBrace;
                continue;
            }
            if (c is ' ' or '\t' or '\r' or '\uFEFF' || (char.IsWhiteSpace(c) && c != '\n'))
            {
                i++;
                continue;
            }
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n') i++;
                continue;
            }
            if (char.IsControl(c)) throw new SyntaxError(line, $"a control character (U+{(int)c:X4}) is not allowed; is this a text file?");
            switch (c)
            {
                case '{':
                    depth.Push(Kind.OpenBrace);
                    keyPosition = true;
                    yield return new Token(Kind.OpenBrace, "{", line);
                    i++;
                    continue;
                case '}':
                    if (depth.Count > 0) depth.Pop();
                    keyPosition = depth.Count == 0 || depth.Peek() == Kind.OpenBrace;
                    yield return new Token(Kind.CloseBrace, "}", line);
                    i++;
                    continue;
                case '[':
                    depth.Push(Kind.OpenBracket);
                    keyPosition = false;
                    yield return new Token(Kind.OpenBracket, "[", line);
                    i++;
                    continue;
                case ']':
                    if (depth.Count > 0) depth.Pop();
                    keyPosition = depth.Count == 0 || depth.Peek() == Kind.OpenBrace;
                    yield return new Token(Kind.CloseBracket, "]", line);
                    i++;
                    continue;
                case ',':
                    keyPosition = depth.Count == 0 || depth.Peek() == Kind.OpenBrace;
                    yield return new Token(Kind.Comma, ",", line);
                    i++;
                    continue;
                case '=':
                    keyPosition = false;
                    yield return new Token(Kind.Separator, "=", line);
                    i++;
                    continue;
                case ':' when keyPosition:
                    keyPosition = false;
                    yield return new Token(Kind.Separator, ":", line);
                    i++;
                    continue;
                case '+' when i + 1 < text.Length && text[i + 1] == '=':
                    keyPosition = false;
                    yield return new Token(Kind.Separator, "+=", line);
                    i += 2;
                    continue;
                case '$':
                    throw new SyntaxError(line, "substitutions (${...}) are not supported in a config file (write the value itself; ACTORVIP_* variables set " +
                        "settings from the environment)");
                case '"':
                    {
                        var start = line;
                        var (quoted, next, lines) = ReadQuoted(text, i, line);
                        line += lines;
                        i = next;
                        yield return new Token(Kind.Quoted, quoted, start);
                        continue;
                    }
            }
            var word = new StringBuilder();
            while (i < text.Length)
            {
                c = text[i];
                if (char.IsWhiteSpace(c) || c is '{' or '}' or '[' or ']' or ',' or '=' or '"' or '#' or '$') break;
                if (c == ':' && keyPosition) break;
                if (c == '/' && i + 1 < text.Length && text[i + 1] == '/') break;
                if (c == '+' && i + 1 < text.Length && text[i + 1] == '=') break;
                if (char.IsControl(c)) break;
                word.Append(c);
                i++;
            }
            // Akka's parser refuses an unquoted ':' in a value with a message that names neither the line nor the fix.
            if (!keyPosition && word.ToString().Contains(':'))
                throw new SyntaxError(line, $"'{Shown(word.ToString())}' holds a ':' and must be quoted (write \"{Shown(word.ToString())}\")");
            yield return new Token(Kind.Text, word.ToString(), line);
        }
        yield return new Token(Kind.End, "", line);
    }

    private static (string Text, int Next, int Lines) ReadQuoted(string text, int i, int line)
    {
        if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
        {
            var close = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
            if (close < 0) throw new SyntaxError(line, "a \"\"\" string is never closed (expected a closing \"\"\")");
            var body = text[(i + 3)..close];
            return (body, close + 3, body.Count(ch => ch == '\n'));
        }
        var b = new StringBuilder();
        var j = i + 1;
        while (true)
        {
            if (j >= text.Length || text[j] == '\n')
                throw new SyntaxError(line, "a quoted string is not closed on its line (expected a closing \")");
            var c = text[j];
            if (c == '"') return (b.ToString(), j + 1, 0);
            if (c == '\\')
            {
                if (j + 1 >= text.Length || text[j + 1] == '\n') throw new SyntaxError(line,
                    "a quoted string ends in a lone backslash (write \\\\ for a backslash)");
                var e = text[j + 1];
                if (e == 'u')
                {
                    if (j + 6 > text.Length || !text.AsSpan(j + 2, 4).ToString().All(char.IsAsciiHexDigit))
                        throw new SyntaxError(line, "\\u in a quoted string needs four hex digits");
                    b.Append((char)Convert.ToInt32(text.Substring(j + 2, 4), 16));
                    j += 6;
                    continue;
                }
                if ("\"\\/bfnrt".IndexOf(e) < 0) throw new SyntaxError(line, $"\\{e} is not an escape in a quoted string (write \\\\ for a backslash)");
                b.Append(e);
                j += 2;
                continue;
            }
            b.Append(c);
            j++;
        }
    }

    private sealed class Checker(List<Token> tokens)
    {
        private int _at;
        private int _depth;

        /// <summary>Deeper nesting is no configuration; refusing it keeps a hostile file from overflowing the stack here or in Akka's parser.</summary>
        private const int MaxDepth = 32;

        private void Enter(int line)
        {
            if (++_depth > MaxDepth) throw new SyntaxError(line, $"objects and lists are nested more than {MaxDepth} deep");
        }

        private Token Peek => tokens[_at];

        private Token Take() => tokens[_at++];

        public void Root()
        {
            SkipNewlines();
            if (Peek.Kind == Kind.OpenBrace)
            {
                var open = Take();
                ObjectBody(Kind.CloseBrace, open.Line);
                Take();
                SkipNewlines();
                if (Peek.Kind != Kind.End) throw Unexpected(Peek, "after the closing '}' of the file's outer object");
                return;
            }
            ObjectBody(Kind.End, 0);
        }

        private void SkipNewlines()
        {
            while (Peek.Kind == Kind.Newline) _at++;
        }

        /// <summary>Fields up to <paramref name="close"/> (not taken).</summary>
        private void ObjectBody(Kind close, int openedOn)
        {
            Enter(openedOn);
            while (true)
            {
                while (Peek.Kind is Kind.Newline or Kind.Comma) _at++;
                var t = Peek;
                if (t.Kind == close)
                {
                    _depth--;
                    return;
                }
                if (t.Kind == Kind.End) throw new SyntaxError(openedOn, "this '{' is never closed (expected a matching '}')");
                if (t.Kind == Kind.CloseBrace) throw new SyntaxError(t.Line, "this '}' closes nothing (a '}' too many, or its '{' is missing)");
                Field();
            }
        }

        private void Field()
        {
            var first = Peek;
            var key = new List<string>();
            while (Peek.Kind is Kind.Text or Kind.Quoted && Peek.Line == first.Line) key.Add(Take().Text);
            if (key.Count == 0) throw Unexpected(Peek, "where a setting's name was expected");
            var name = string.Join(" ", key);
            if (first.Kind == Kind.Text && first.Text == "include")
                throw new SyntaxError(first.Line, "include is not supported in a config file (put the settings in this file)");
            if (key.Count > 1 && first.Kind == Kind.Text)
                throw new SyntaxError(first.Line, $"'{Shown(name)}' is not KEY = VALUE (a name cannot contain spaces; a value needs '=' before it)");
            var next = Peek;
            if (next.Kind == Kind.OpenBrace)
            {
                Take();
                ObjectBody(Kind.CloseBrace, next.Line);
                Take();
                AfterValue(name);
                return;
            }
            if (next.Kind != Kind.Separator || next.Line != first.Line)
                throw new SyntaxError(first.Line, $"'{Shown(name)}' has no value (expected {Shown(name)} = VALUE)");
            Take();
            Value(name, first.Line);
            AfterValue(name);
        }

        private void AfterValue(string name)
        {
            var t = Peek;
            if (t.Kind is Kind.Newline or Kind.Comma or Kind.CloseBrace or Kind.End) return;
            throw Unexpected(t, $"after the value of '{Shown(name)}' (one setting per line, or separate them with ',')");
        }

        /// <summary>A value: one or more parts on the line of its key (an array or object may span lines).</summary>
        private void Value(string name, int line)
        {
            var parts = 0;
            var onlyNull = true;
            while (true)
            {
                var t = Peek;
                if (t.Line != line && parts > 0) break;
                if (t.Kind == Kind.Newline && parts == 0)
                    throw new SyntaxError(t.Line, $"'{Shown(name)}' has no value after '=' (write a value, or \"\" for an empty one)");
                if (t.Kind is Kind.Text or Kind.Quoted)
                {
                    Take();
                    onlyNull &= t.Kind == Kind.Text && t.Text == "null";
                }
                else if (t.Kind == Kind.OpenBrace)
                {
                    Take();
                    ObjectBody(Kind.CloseBrace, t.Line);
                    line = Take().Line;
                    onlyNull = false;
                }
                else if (t.Kind == Kind.OpenBracket)
                {
                    Take();
                    line = Array(t.Line);
                    onlyNull = false;
                }
                else break;
                parts++;
            }
            if (parts == 0) throw Unexpected(Peek, $"where the value of '{Shown(name)}' was expected");
            if (onlyNull && parts == 1)
                throw new SyntaxError(line, $"'{Shown(name)}' is null; null is not a value ActorVip takes (remove the line to keep the default)");
        }

        /// <summary>Elements up to the closing ']'; returns its line.</summary>
        private int Array(int openedOn)
        {
            Enter(openedOn);
            while (true)
            {
                while (Peek.Kind is Kind.Newline or Kind.Comma) _at++;
                var t = Peek;
                if (t.Kind == Kind.CloseBracket)
                {
                    _depth--;
                    return Take().Line;
                }
                if (t.Kind == Kind.End) throw new SyntaxError(openedOn, "this '[' is never closed (expected a matching ']')");
                if (t.Kind is Kind.CloseBrace or Kind.Separator) throw Unexpected(t, "inside a list (expected values separated by ',' and a closing ']')");
                Value("a list element", t.Line);
                var after = Peek;
                if (after.Kind is not (Kind.Comma or Kind.Newline or Kind.CloseBracket))
                    throw Unexpected(after, "inside a list (expected ',' or ']')");
            }
        }

        private static SyntaxError Unexpected(Token t, string where) => new(t.Line, t.Kind switch
        {
            Kind.End => $"the file ends {where}",
            Kind.Newline => $"the line ends {where}",
            _ => $"unexpected '{Shown(t.Text)}' {where}",
        });
    }

    /// <summary>At most 60 characters of what the user wrote, so that one line stays one line.</summary>
    private static string Shown(string text)
    {
        var flat = new string(text.Select(ch => char.IsControl(ch) ? ' ' : ch).ToArray());
        return flat.Length <= 60 ? flat : flat[..57] + "...";
    }
}
