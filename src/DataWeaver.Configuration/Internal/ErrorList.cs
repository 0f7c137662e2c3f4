namespace DataWeaver.Configuration.Internal;

/// <summary>Collects the problems of one file, so that every one of them is reported at once.</summary>
internal sealed class ErrorList(string? file)
{
    private readonly List<ConfigurationError> _errors = [];
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);

    public string? File { get; } = file;

    public int Count => _errors.Count;

    public void Add(string code, ConfigValue at, string message) => Add(code, at.Path, at.Location, message);

    public void Add(string code, string path, ConfigLocation location, string message)
    {
        _errors.Add(new ConfigurationError(code, path, message, location));
        _paths.Add(path);
    }

    /// <summary>Gets a value indicating whether a problem was reported for this path already (later checks then stay quiet).</summary>
    public bool HasAt(string path) => _paths.Contains(path);

    /// <summary>Gets a value indicating whether a problem was reported at this path or below it.</summary>
    public bool HasAtOrBelow(string path) => _paths.Any(p => p == path || (p.StartsWith(path, StringComparison.Ordinal) && p.Length > path.Length && p[path.Length] is '.' or '['));

    /// <summary>The problems ordered by position, with every secret value masked (a last guard: messages describe secrets as *** already).</summary>
    public IReadOnlyList<ConfigurationError> ToList(IReadOnlyCollection<string> secrets) =>
        [.. _errors
            .OrderBy(e => e.Line == 0 ? int.MaxValue : e.Line)
            .ThenBy(e => e.Column)
            .Select(e => secrets.Count == 0 ? e : e with { Message = SecretScrubber.Scrub(e.Message, secrets) })];

    public void ThrowIfAny(IReadOnlyCollection<string> secrets)
    {
        if (_errors.Count > 0)
        {
            throw new PipelineDefinitionException(ToList(secrets));
        }
    }
}
