using DataWeaver.Errors;

namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>
/// A schema is invalid, or two schemas cannot be resolved against each other. A fatal error: the
/// configuration is wrong, not one record. <see cref="JsonPath"/> names where in the schema the problem is.
/// </summary>
public sealed class AvroSchemaException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="jsonPath">Where in the schema JSON the problem is, e.g. <c>$.fields[2].type</c>.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public AvroSchemaException(string jsonPath, string problem, Exception? innerException = null)
        : base(ErrorClass.Fatal, $"Invalid Avro schema at {jsonPath}: {problem}", innerException)
    {
        JsonPath = jsonPath;
        Problem = problem;
    }

    /// <summary>Creates the exception.</summary>
    public AvroSchemaException()
        : this("$", "the schema is invalid")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public AvroSchemaException(string message)
        : this("$", message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public AvroSchemaException(string message, Exception innerException)
        : this("$", message, innerException)
    {
    }

    /// <summary>Gets where in the schema JSON the problem is, as a JSON path such as <c>$.fields[2].type</c>.</summary>
    public string JsonPath { get; }

    /// <summary>Gets what is wrong.</summary>
    public string Problem { get; }
}
