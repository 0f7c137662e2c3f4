namespace DataWeaver.Configuration.Internal;

/// <summary>Replaces secret values in text with <c>***</c>.</summary>
internal static class SecretScrubber
{
    public static string Scrub(string text, IReadOnlyCollection<string> secrets)
    {
        if (secrets.Count == 0 || string.IsNullOrEmpty(text))
        {
            return text;
        }

        // Longest first, so a secret that contains another is masked whole.
        foreach (var secret in secrets.OrderByDescending(s => s.Length))
        {
            if (secret.Length > 0)
            {
                text = text.Replace(secret, ConfigValue.Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
