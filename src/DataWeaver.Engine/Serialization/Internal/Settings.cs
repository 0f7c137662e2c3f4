using System.Globalization;

namespace DataWeaver.Serialization.Internal;

/// <summary>Checks the settings built-in factories get, listing every unknown key at once.</summary>
internal static class Settings
{
    public static void ThrowIfUnknown<T>(SerializerRequest request, params ReadOnlySpan<string> known)
    {
        var unknown = new List<string>();
        foreach (var key in request.Settings.Keys)
        {
            var found = false;
            foreach (var k in known)
            {
                found |= string.Equals(k, key, StringComparison.OrdinalIgnoreCase);
            }

            if (!found)
            {
                unknown.Add(key);
            }
        }

        if (unknown.Count > 0)
        {
            unknown.Sort(StringComparer.Ordinal);
            var accepted = known.Length == 0 ? "it takes none" : "it takes " + string.Join(", ", known.ToArray());
            throw new SerializerConfigurationException(
                request.Format,
                typeof(T),
                [],
                $"Format '{request.Format}' for type '{TypeNames.Of(typeof(T))}': unknown setting(s) {string.Join(", ", unknown)}; {accepted}.");
        }
    }

    public static int GetInt32<T>(SerializerRequest request, string key, int defaultValue, int min, int max)
    {
        if (!request.Settings.TryGetValue(key, out var text))
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new SerializerConfigurationException(
                request.Format,
                typeof(T),
                [],
                $"Format '{request.Format}' for type '{TypeNames.Of(typeof(T))}': setting {key} must be an integer from {min} to {max} (was '{text}').");
        }

        return value;
    }
}
