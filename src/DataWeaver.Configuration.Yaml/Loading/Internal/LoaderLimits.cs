namespace DataWeaver.Configuration.Loading.Internal;

/// <summary>
/// The bounds within which <see cref="PipelineDefinitionLoader"/> reads a file, so that a hostile or broken file gets a
/// <see cref="ConfigurationErrorCode.Limit"/> error instead of crashing, hanging or exhausting memory. Real pipeline files
/// are far inside them (the largest example in docs/ is 3 KiB, 9 levels, 300 values).
/// </summary>
internal static class LoaderLimits
{
    /// <summary>The largest file read: 16 MiB.</summary>
    public const long MaxFileBytes = 16L * 1024 * 1024;

    /// <summary>The deepest nesting of mappings and sequences: 64.</summary>
    public const int MaxDepth = 64;

    /// <summary>The most values in one file, aliases counted at their expanded size: 100,000.</summary>
    public const int MaxValues = 100_000;
}
