namespace DataWeaver.Configuration;

/// <summary>
/// One problem of a pipeline definition file: what is wrong (<see cref="Message"/>), which key (<see cref="Path"/>,
/// e.g. <c>pipelines[0].sinks[1].settings.path</c>) and where (<see cref="Location"/>: file, line, column). Messages
/// never contain secret values (they show <c>***</c>).
/// </summary>
/// <param name="Code">The kind of problem, one of <see cref="ConfigurationErrorCode"/>, for tools that react to some.</param>
/// <param name="Path">The key path of the offending value; empty for the file's root.</param>
/// <param name="Message">What is wrong, and how to fix it when that is clear (a "did you mean").</param>
/// <param name="Location">Where the offending key or value is written.</param>
public sealed record ConfigurationError(string Code, string Path, string Message, ConfigLocation Location)
{
    /// <summary>Gets the file, as given to the loader.</summary>
    public string? File => Location.File;

    /// <summary>Gets the 1-based line; 0 when unknown.</summary>
    public int Line => Location.Line;

    /// <summary>Gets the 1-based column; 0 when unknown.</summary>
    public int Column => Location.Column;

    /// <summary>Creates an error about a value, at its path and location.</summary>
    /// <param name="value">The offending value.</param>
    /// <param name="message">What is wrong with it. Describe secrets as <c>***</c>, never by their text.</param>
    /// <param name="code">The kind of problem; the default is <see cref="ConfigurationErrorCode.InvalidValue"/>.</param>
    /// <returns>The error.</returns>
    public static ConfigurationError At(ConfigValue value, string message, string code = ConfigurationErrorCode.InvalidValue)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new ConfigurationError(code, value.Path, message, value.Location);
    }

    /// <summary>
    /// Returns <c>file:line:column: path: message</c>, the form compilers use, so editors can jump to it; a problem of the
    /// file as a whole (no line, no key: missing, a folder, too large) is <c>file: message</c>.
    /// </summary>
    /// <returns>The text.</returns>
    public override string ToString() => Line == 0 && Path.Length == 0
        ? $"{Location.File}: {Message}"
        : $"{Location}: {(Path.Length == 0 ? "(root)" : Path)}: {Message}";
}
