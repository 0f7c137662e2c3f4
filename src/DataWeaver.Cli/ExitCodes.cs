namespace DataWeaver.Cli;

/// <summary>The exit codes of every command (docs/cli.md lists them).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked: the pipelines ran out of records or drained after a stop signal; the file is valid; the conversion is written.</summary>
    public const int Success = 0;

    /// <summary>The command line cannot be parsed: an unknown command or option, a missing argument.</summary>
    public const int Usage = 1;

    /// <summary><c>test</c>: a test failed (its differences are printed); the same code as a usage error, as test runners use.</summary>
    public const int TestFailed = 1;

    /// <summary>What the command was given is invalid (a definition file, a schema, a format, a pipeline name); nothing ran.</summary>
    public const int InvalidInput = 2;

    /// <summary>A pipeline failed while it ran (the error class, stage and message are printed).</summary>
    public const int RuntimeFailure = 3;

    /// <summary>A stop signal aborted the run: a second signal, or the drain timeout after the first (128 + SIGINT).</summary>
    public const int Aborted = 130;
}
