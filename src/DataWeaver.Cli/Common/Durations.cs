using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace DataWeaver.Cli.Common;

/// <summary>Durations on the command line: a number of seconds, or a number and a unit (<c>250ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>).</summary>
internal static class Durations
{
    /// <summary>Creates a duration option.</summary>
    /// <param name="name">The option name, e.g. <c>--drain-timeout</c>.</param>
    /// <param name="defaultValue">The value when the option is not given.</param>
    /// <param name="description">The help text.</param>
    /// <param name="allowInfinite">Whether <c>infinite</c> is accepted (as <see cref="Timeout.InfiniteTimeSpan"/>).</param>
    /// <returns>The option.</returns>
    public static Option<TimeSpan> Option(string name, TimeSpan defaultValue, string description, bool allowInfinite = false) => new(name)
    {
        Description = description,
        HelpName = allowInfinite ? "DURATION|infinite" : "DURATION",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => Parse(result, allowInfinite),
    };

    /// <summary>Parses a duration.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The duration, when valid.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> is a positive duration.</returns>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var (number, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0 || amount * scale > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(amount * scale);
        return true;
    }

    private static TimeSpan Parse(ArgumentResult result, bool allowInfinite)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (allowInfinite && text == "infinite")
        {
            return Timeout.InfiniteTimeSpan;
        }

        if (TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration: write a positive number of seconds, or a number and a unit (250ms, 5s, 2m, 1h){(allowInfinite ? ", or infinite" : string.Empty)}.");
        return default;
    }
}
