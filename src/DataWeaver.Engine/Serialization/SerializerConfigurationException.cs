using DataWeaver.Errors;

namespace DataWeaver.Serialization;

/// <summary>
/// A serializer cannot be set up: the format is not registered, the format cannot handle the value type, or its
/// settings are invalid. A fatal configuration error (<see cref="ErrorClass.Fatal"/>), raised when a connector is
/// configured, before any record is read.
/// </summary>
public sealed class SerializerConfigurationException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="format">The format asked for.</param>
    /// <param name="valueType">The value type asked for, if any.</param>
    /// <param name="registeredFormats">The names registered in the registry that was asked.</param>
    /// <param name="message">What is wrong, naming the format and the type.</param>
    public SerializerConfigurationException(string format, Type? valueType, IReadOnlyList<string> registeredFormats, string message)
        : base(ErrorClass.Fatal, message)
    {
        Format = format;
        ValueType = valueType;
        RegisteredFormats = registeredFormats;
    }

    /// <summary>Creates the exception.</summary>
    public SerializerConfigurationException()
        : this("unknown", null, [], "The serializer configuration is invalid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public SerializerConfigurationException(string message)
        : this("unknown", null, [], message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SerializerConfigurationException(string message, Exception innerException)
        : base(ErrorClass.Fatal, message, innerException)
    {
        Format = "unknown";
        RegisteredFormats = [];
    }

    /// <summary>Gets the format asked for.</summary>
    public string Format { get; }

    /// <summary>Gets the value type asked for, or <see langword="null"/> when the problem does not concern one.</summary>
    public Type? ValueType { get; }

    /// <summary>Gets the format names registered in the registry that was asked, sorted.</summary>
    public IReadOnlyList<string> RegisteredFormats { get; }
}
