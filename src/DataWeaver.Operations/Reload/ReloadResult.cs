namespace DataWeaver.Operations;

/// <summary>
/// What a reload of a definition file did (<c>POST /reload</c>, SIGHUP, <c>--watch</c>): which pipelines were drained
/// and started again with their new definition, added, removed, or left running untouched; or why the new file was
/// refused (then nothing changed).
/// </summary>
public sealed record ReloadResult
{
    /// <summary>Gets the pipelines whose definition changed: drained (everything read written and committed), then started again from their committed positions with the new definition.</summary>
    /// <value>The default is none.</value>
    public IReadOnlyList<string> Restarted { get; init; } = [];

    /// <summary>Gets the pipelines new in the file, started.</summary>
    /// <value>The default is none.</value>
    public IReadOnlyList<string> Added { get; init; } = [];

    /// <summary>Gets the pipelines no longer in the file, drained and stopped.</summary>
    /// <value>The default is none.</value>
    public IReadOnlyList<string> Removed { get; init; } = [];

    /// <summary>Gets the pipelines whose definition did not change: they kept running, not restarted.</summary>
    /// <value>The default is none.</value>
    public IReadOnlyList<string> Unchanged { get; init; } = [];

    /// <summary>
    /// Gets why the reload was refused (the new file is invalid: every error with file, line, column and key; or the run
    /// is stopping), free of secrets; <see langword="null"/> when it was applied. A refused reload changed nothing.
    /// </summary>
    /// <value>The default is <see langword="null"/>: applied.</value>
    public string? Error { get; init; }

    /// <summary>Gets whether the refusal is because the new file is invalid (<see langword="false"/>: the run is stopping or ended).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool IsInvalidDefinition { get; init; }

    /// <summary>Gets whether the reload was applied (<see cref="Error"/> is <see langword="null"/>).</summary>
    public bool Succeeded => Error is null;
}
