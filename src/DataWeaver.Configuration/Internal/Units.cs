using System.Globalization;

namespace DataWeaver.Configuration.Internal;

/// <summary>Durations (<c>50ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>, <c>1d</c>) and sizes (<c>64MiB</c>, <c>4 KB</c>, a number of bytes).</summary>
internal static class Units
{
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var (number, unit) = Split(text);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        double? milliseconds = unit switch
        {
            "ms" => value,
            "s" => value * 1000,
            "m" => value * 60_000,
            "h" => value * 3_600_000,
            "d" => value * 86_400_000,
            _ => null,
        };
        if (milliseconds is not { } ms || ms > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    public static bool TryParseSize(ConfigValue value, out long bytes)
    {
        if (value.TryGetInt64(out bytes))
        {
            return bytes >= 0;
        }

        bytes = 0;
        if (value.Kind != ConfigValueKind.String)
        {
            return false;
        }

        var (number, unit) = Split(value.Text!.Replace(" ", string.Empty, StringComparison.Ordinal));
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        double? multiplier = unit switch
        {
            "B" => 1,
            "KB" => 1e3,
            "KiB" => 1024,
            "MB" => 1e6,
            "MiB" => 1024 * 1024,
            "GB" => 1e9,
            "GiB" => 1024d * 1024 * 1024,
            _ => null,
        };
        if (multiplier is not { } m || amount * m > long.MaxValue / 2)
        {
            return false;
        }

        bytes = (long)(amount * m);
        return true;
    }

    /// <summary>Formats a duration the way files write them (for messages and defaults).</summary>
    public static string Format(TimeSpan duration) =>
        duration.TotalMilliseconds % 1000 != 0 ? $"{duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms"
        : duration.TotalSeconds % 60 != 0 ? $"{duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s"
        : $"{duration.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m";

    /// <summary>Formats a size the way files write them (for defaults): <c>1GiB</c>, <c>1MiB</c>, <c>64KiB</c>, else a number of bytes.</summary>
    public static string FormatSize(long bytes) =>
        bytes > 0 && bytes % (1L << 30) == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes >> 30}GiB")
        : bytes > 0 && bytes % (1L << 20) == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20}MiB")
        : bytes > 0 && bytes % (1L << 10) == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes >> 10}KiB")
        : bytes.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats a value the way files write them (for defaults): <c>true</c>, <c>false</c>, numbers invariant.</summary>
    public static string FormatValue<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    /// <inheritdoc cref="FormatValue{T}(T)"/>
    public static string FormatValue(bool value) => value ? "true" : "false";

    private static (string Number, string Unit) Split(string text)
    {
        var i = 0;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }

        return (text[..i], text[i..]);
    }
}
