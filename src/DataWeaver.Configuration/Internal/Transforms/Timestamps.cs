using System.Globalization;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>Reading and writing timestamps as ISO 8601 text (UTC, milliseconds) and Unix seconds or milliseconds.</summary>
internal static class Timestamps
{
    public static string FormatIso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static bool TryParseIso(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    public static bool TryFromUnix(decimal value, bool milliseconds, out DateTimeOffset time)
    {
        time = default;
        var ms = milliseconds ? value : value * 1000;
        if (ms < -62_135_596_800_000m || ms > 253_402_300_799_999m)
        {
            return false;
        }

        time = DateTimeOffset.UnixEpoch.AddMilliseconds((double)decimal.Truncate(ms));
        return true;
    }
}
