using DataWeaver.Errors;

namespace DataWeaver.Configuration;

/// <summary>
/// A pipeline definition file is invalid. Raised by <c>PipelineDefinitionLoader</c> (DataWeaver.Configuration.Yaml) before anything is
/// constructed, connected or started, listing every problem of the file at once (<see cref="Errors"/>), each with its
/// file, line, column and key path; and by <see cref="PipelineFactory"/> when a connector factory refuses its settings.
/// Messages never contain secret values. A fatal error (<see cref="DataWeaverException.ErrorClass"/>).
/// </summary>
public sealed class PipelineDefinitionException : PipelineConfigurationException
{
    /// <summary>Creates the exception from the problems found.</summary>
    /// <param name="errors">Every problem found, at least one.</param>
    public PipelineDefinitionException(IReadOnlyList<ConfigurationError> errors)
        : base(Texts(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception for one problem without a location.</summary>
    /// <param name="message">The problem.</param>
    public PipelineDefinitionException(string message)
        : this([new ConfigurationError(ConfigurationErrorCode.InvalidValue, string.Empty, message, default)])
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public PipelineDefinitionException()
        : this("The pipeline definition is invalid.")
    {
    }

    /// <summary>Creates the exception for one problem with a cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public PipelineDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new ConfigurationError(ConfigurationErrorCode.InvalidValue, string.Empty, message, default)];
    }

    /// <summary>Gets every problem found, ordered by line and column.</summary>
    public new IReadOnlyList<ConfigurationError> Errors { get; }

    private static List<string> Texts(IReadOnlyList<ConfigurationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("At least one error is needed.", nameof(errors));
        }

        return [.. errors.Select(e => e.ToString())];
    }
}
