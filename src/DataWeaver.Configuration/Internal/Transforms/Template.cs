using System.Text;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>A string with <c>{placeholder}</c>s (<c>{{</c> and <c>}}</c> are literal braces), compiled once.</summary>
/// <typeparam name="TArgument">What placeholders are rendered from (a record, a sequence number).</typeparam>
internal sealed class Template<TArgument>
{
    private readonly (string? Literal, Func<TArgument, string>? Placeholder)[] _parts;

    private Template((string?, Func<TArgument, string>?)[] parts) => _parts = parts;

    /// <summary>Compiles a template; <paramref name="compile"/> turns a placeholder's text into a renderer, or returns an error message.</summary>
    public static Template<TArgument>? TryCompile(string text, Func<string, (Func<TArgument, string>? Render, string? Error)> compile, out string? error)
    {
        List<(string?, Func<TArgument, string>?)> parts = [];
        var literal = new StringBuilder();
        error = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '{' && i + 1 < text.Length && text[i + 1] == '{')
            {
                literal.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < text.Length && text[i + 1] == '}')
            {
                literal.Append('}');
                i++;
            }
            else if (c == '{')
            {
                var end = text.IndexOf('}', i + 1);
                if (end < 0)
                {
                    error = $"The placeholder at character {i + 1} has no closing '}}' (write '{{{{' for a literal '{{').";
                    return null;
                }

                var (render, problem) = compile(text[(i + 1)..end].Trim());
                if (render is null)
                {
                    error = problem;
                    return null;
                }

                if (literal.Length > 0)
                {
                    parts.Add((literal.ToString(), null));
                    literal.Clear();
                }

                parts.Add((null, render));
                i = end;
            }
            else if (c == '}')
            {
                error = $"The '}}' at character {i + 1} closes no placeholder (write '}}}}' for a literal '}}').";
                return null;
            }
            else
            {
                literal.Append(c);
            }
        }

        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), null));
        }

        return new Template<TArgument>([.. parts]);
    }

    /// <summary>Gets the parts in order: a literal, or <see langword="null"/> where a placeholder goes (placeholders in the order they were compiled).</summary>
    public string?[] Literals => [.. _parts.Select(p => p.Literal)];

    public string Render(TArgument argument)
    {
        switch (_parts.Length)
        {
            case 0:
                return string.Empty;
            case 1:
                return Part(0, argument);
            case 2:
                return string.Concat(Part(0, argument), Part(1, argument));
            case 3:
                return string.Concat(Part(0, argument), Part(1, argument), Part(2, argument));
        }

        var text = new StringBuilder();
        foreach (var (literal, placeholder) in _parts)
        {
            text.Append(literal ?? placeholder!(argument));
        }

        return text.ToString();
    }

    private string Part(int index, TArgument argument) => _parts[index].Literal ?? _parts[index].Placeholder!(argument);
}
