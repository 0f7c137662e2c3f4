using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Cli.Logging;

/// <summary>How log lines are written on standard error.</summary>
internal enum LogFormat
{
    /// <summary>One readable line per entry: <c>2026-12-07T05:50:01.123Z warning DataWeaver.Sources: message</c>.</summary>
    Text,

    /// <summary>One JSON object per line (for ELK, Loki and other collectors): timestamp, level, category, event, message and the entry's fields.</summary>
    Json,
}

/// <summary>The <c>--log-level</c> and <c>--log-format</c> of the commands that build pipelines.</summary>
/// <param name="Level">The least severe level written.</param>
/// <param name="Format">The line format.</param>
internal sealed record LogSettings(LogLevel Level, LogFormat Format)
{
    /// <summary>The default level: <see cref="LogLevel.Warning"/>, so a run prints only what needs a person's attention.</summary>
    public const LogLevel DefaultLevel = LogLevel.Warning;

    /// <summary>Gets the defaults: warnings and worse, as text.</summary>
    public static LogSettings Default { get; } = new(DefaultLevel, LogFormat.Text);

    /// <summary>Names a level as the options and the lines do: <c>trace</c>, <c>debug</c>, <c>information</c>, <c>warning</c>, <c>error</c>, <c>critical</c>, <c>none</c>.</summary>
    /// <param name="level">The level.</param>
    /// <returns>The name.</returns>
    public static string Name(LogLevel level) => level.ToString().ToLowerInvariant();
}

/// <summary>The two logging options, added to a command and read back from its parse result.</summary>
internal sealed class LogOptions
{
    private readonly Option<LogLevel> _level = new("--log-level")
    {
        Description = "The least severe log entries written to standard error: trace, debug, information, warning, error, critical or none.",
        HelpName = "LEVEL",
        DefaultValueFactory = _ => LogSettings.DefaultLevel,
    };

    private readonly Option<LogFormat> _format = new("--log-format")
    {
        Description = "How log entries are written to standard error: text, or json (one JSON object per line, for ELK or Loki).",
        HelpName = "FORMAT",
        DefaultValueFactory = _ => LogFormat.Text,
    };

    /// <summary>Adds the options to a command.</summary>
    /// <param name="command">The command.</param>
    public void AddTo(Command command)
    {
        command.Options.Add(_level);
        command.Options.Add(_format);
    }

    /// <summary>Reads the options' values.</summary>
    /// <param name="parse">The parse result.</param>
    /// <returns>The settings.</returns>
    public LogSettings Read(ParseResult parse) => new(parse.GetValue(_level), parse.GetValue(_format));
}
