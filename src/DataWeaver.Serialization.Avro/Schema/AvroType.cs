namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>The Avro type of a schema, as named by the specification.</summary>
#pragma warning disable CA1720 // The members are the type names of the Avro specification.
public enum AvroType
{
    /// <summary>No value.</summary>
    Null,

    /// <summary>A binary value.</summary>
    Boolean,

    /// <summary>A 32-bit signed integer.</summary>
    Int,

    /// <summary>A 64-bit signed integer.</summary>
    Long,

    /// <summary>A single precision IEEE 754 floating-point number.</summary>
    Float,

    /// <summary>A double precision IEEE 754 floating-point number.</summary>
    Double,

    /// <summary>A sequence of 8-bit unsigned bytes.</summary>
    Bytes,

    /// <summary>A Unicode character sequence.</summary>
    String,

    /// <summary>A named record of fields.</summary>
    Record,

    /// <summary>A named set of symbols.</summary>
    Enum,

    /// <summary>An array of items of one schema.</summary>
    Array,

    /// <summary>A map from string keys to values of one schema.</summary>
    Map,

    /// <summary>A union of schemas.</summary>
    Union,

    /// <summary>A named fixed number of bytes.</summary>
    Fixed,
}
#pragma warning restore CA1720
