namespace DataWeaver.Configuration.Internal.Connectors;

/// <summary>Runs a check that collects <see cref="ConfigurationError"/>s: for descriptors' <c>Validate</c> and for factories.</summary>
internal static class ConnectorChecks
{
    /// <summary>The errors <paramref name="check"/> found; empty when none.</summary>
    public static List<ConfigurationError> Errors(Action<List<ConfigurationError>> check)
    {
        List<ConfigurationError> errors = [];
        check(errors);
        return errors;
    }

    /// <summary>What <paramref name="build"/> made, or a <see cref="PipelineDefinitionException"/> listing the errors it found.</summary>
    public static T Check<T>(Func<List<ConfigurationError>, T> build)
    {
        List<ConfigurationError> errors = [];
        var result = build(errors);
        return errors.Count > 0 ? throw new PipelineDefinitionException(errors) : result;
    }
}
