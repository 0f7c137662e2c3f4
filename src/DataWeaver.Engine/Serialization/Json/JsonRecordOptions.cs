namespace DataWeaver.Serialization.Json;

/// <summary>Limits on the JSON records a decoder accepts. Immutable; copied where it is used.</summary>
public sealed class JsonRecordOptions
{
    /// <summary>The default maximum record size: 1 MiB (1,048,576 bytes).</summary>
    public const int DefaultMaxRecordBytes = 1024 * 1024;

    /// <summary>The default maximum nesting depth: 64.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Gets the default options.</summary>
    public static JsonRecordOptions Default { get; } = new();

    /// <summary>Gets the largest record, in bytes, a decoder accepts; larger records are a <see cref="DeserializationException"/> (a data error).</summary>
    /// <value>The default is 1 MiB (1,048,576 bytes); from 1 to <see cref="int.MaxValue"/>.</value>
    public int MaxRecordBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DefaultMaxRecordBytes;

    /// <summary>Gets the deepest nesting of objects and arrays a <see cref="JsonRecord"/> may have (the record itself is depth 1). Typed deserializers take theirs from <c>JsonSerializerOptions.MaxDepth</c>.</summary>
    /// <value>The default is 64; from 1 to 1,000.</value>
    public int MaxDepth
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1000);
            field = value;
        }
    } = DefaultMaxDepth;
}
