namespace DataWeaver.Serialization.Avro.Records;

/// <summary>Why a value does not fit a schema, and where: the path is built from the innermost value outwards.</summary>
/// <param name="message">What is wrong.</param>
public sealed class MappingFailure(string message)
{
    private readonly List<string> _segments = [];

    /// <summary>Gets what is wrong.</summary>
    public string Message => message;

    /// <summary>Adds the step from the enclosing value: <c>.field</c>, <c>[3]</c> or <c>["key"]</c>.</summary>
    /// <param name="segment">The step.</param>
    /// <returns>This failure.</returns>
    public MappingFailure Within(string segment)
    {
        _segments.Add(segment);
        return this;
    }

    /// <summary>Returns <c>$.path[1]: message</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => "$" + string.Concat(Enumerable.Reverse(_segments)) + ": " + message;
}
