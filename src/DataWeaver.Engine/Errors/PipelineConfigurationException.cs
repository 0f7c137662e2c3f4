namespace DataWeaver.Errors;

/// <summary>
/// A pipeline definition or options object is invalid. Raised when a pipeline is built, before anything
/// connects or starts; <see cref="Errors"/> lists every problem found, each naming the stage or option.
/// </summary>
public class PipelineConfigurationException : DataWeaverException
{
    /// <summary>Creates the exception from the list of problems found.</summary>
    /// <param name="errors">Every problem found, each naming the stage or option it concerns.</param>
    public PipelineConfigurationException(IReadOnlyList<string> errors)
        : base(ErrorClass.Fatal, FormatMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception for a single problem.</summary>
    /// <param name="message">The problem, naming the stage or option it concerns.</param>
    public PipelineConfigurationException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with no problems listed.</summary>
    public PipelineConfigurationException()
        : this("The pipeline configuration is invalid.")
    {
    }

    /// <summary>Creates the exception for a single problem with a cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public PipelineConfigurationException(string message, Exception innerException)
        : base(ErrorClass.Fatal, message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Gets every problem found, each naming the stage or option it concerns.</summary>
    public IReadOnlyList<string> Errors { get; } = [];

    private static string FormatMessage(IReadOnlyList<string> errors) =>
        errors.Count == 1
            ? "Invalid pipeline: " + errors[0]
            : $"Invalid pipeline ({errors.Count} problems):" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e));
}
