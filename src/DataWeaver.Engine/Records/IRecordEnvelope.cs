namespace DataWeaver.Records;

/// <summary>What any <see cref="Record{TValue}"/> offers without knowing its value type (used on error paths).</summary>
public interface IRecordEnvelope
{
    /// <summary>Gets the key bytes.</summary>
    ReadOnlyMemory<byte> Key { get; }

    /// <summary>Gets the headers, or <see langword="null"/>.</summary>
    RecordHeaders? Headers { get; }

    /// <summary>Gets the record's source position.</summary>
    SourcePosition Position { get; }

    /// <summary>Gets the value, boxed.</summary>
    object? BoxedValue { get; }
}
