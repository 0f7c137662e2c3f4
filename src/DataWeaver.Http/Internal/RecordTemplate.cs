using System.Text;
using System.Text.Json;

namespace DataWeaver.Http.Internal;

/// <summary>
/// A URL or header value with placeholders filled from each record: <c>{path.to.field}</c> takes a field of the record's JSON
/// value (a string as is, a number or boolean as written), <c>{$key}</c> the record's key as UTF-8. <c>{{</c> and <c>}}</c>
/// stand for the braces themselves.
/// </summary>
internal sealed class RecordTemplate
{
    private readonly List<(string Text, string[]? Path)> _parts;

    private RecordTemplate(string text, List<(string Text, string[]? Path)> parts)
    {
        Text = text;
        _parts = parts;
    }

    /// <summary>Gets the template as written.</summary>
    public string Text { get; }

    /// <summary>Gets whether a placeholder needs the record's value parsed.</summary>
    public bool ReadsValue => _parts.Any(p => p.Path is { } path && path[0] != "$key");

    /// <summary>Parses <paramref name="text"/>; returns <see langword="null"/> when it holds no placeholder.</summary>
    /// <exception cref="FormatException">A brace is not closed or a placeholder is empty.</exception>
    public static RecordTemplate? Parse(string text)
    {
        var parts = new List<(string, string[]?)>();
        var literal = new StringBuilder();
        var placeholders = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if ((c == '{' || c == '}') && i + 1 < text.Length && text[i + 1] == c)
            {
                literal.Append(c);
                i++;
                continue;
            }

            if (c == '}')
            {
                throw new FormatException($"'}}' at {i} closes no placeholder (write '}}}}' for the brace itself).");
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            var end = text.IndexOf('}', i + 1);
            var name = end < 0 ? "" : text[(i + 1)..end].Trim();
            if (end < 0 || name.Length == 0 || name.Split('.').Any(p => p.Length == 0))
            {
                throw new FormatException($"The placeholder at {i} must be {{field}}, {{path.to.field}} or {{$key}} and be closed.");
            }

            parts.Add((literal.ToString(), null));
            literal.Clear();
            parts.Add(("", name.Split('.')));
            placeholders++;
            i = end;
        }

        parts.Add((literal.ToString(), null));
        return placeholders == 0 ? null : new RecordTemplate(text, parts);
    }

    /// <summary>Fills the placeholders from one record; <paramref name="escape"/> is applied to each value filled in.</summary>
    /// <returns>The text, or <see langword="null"/> with <paramref name="error"/> naming what is missing.</returns>
    public string? Render(JsonElement? value, ReadOnlySpan<byte> key, Func<string, string> escape, out string? error)
    {
        var text = new StringBuilder();
        foreach (var (literal, path) in _parts)
        {
            if (path is null)
            {
                text.Append(literal);
                continue;
            }

            string? filled;
            if (path is ["$key"])
            {
                filled = key.IsEmpty ? null : Encoding.UTF8.GetString(key);
            }
            else
            {
                filled = Field(value, path);
            }

            if (filled is null)
            {
                error = $"the record has no '{string.Join('.', path)}' to fill '{{{string.Join('.', path)}}}' (a string, number or boolean)";
                return null;
            }

            text.Append(escape(filled));
        }

        error = null;
        return text.ToString();
    }

    /// <summary>A template with every placeholder filled by <paramref name="sample"/>: to check what it makes.</summary>
    public string Sample(string sample) => string.Concat(_parts.Select(p => p.Path is null ? p.Text : sample));

    private static string? Field(JsonElement? value, string[] path)
    {
        if (value is not { } current)
        {
            return null;
        }

        foreach (var part in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => current.GetRawText(),
            _ => null,
        };
    }
}
