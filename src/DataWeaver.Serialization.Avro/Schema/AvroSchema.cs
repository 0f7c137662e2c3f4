using DataWeaver.Serialization.Avro.Internal;

namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>
/// An immutable, parsed Avro schema. Create one with <see cref="Parse(string)"/>; share it freely across
/// threads. Encoders, decoders and resolvers built for a schema are cached on it, so parse a schema once and
/// reuse the instance.
/// </summary>
public abstract partial class AvroSchema
{
    private string? _canonicalForm;
    private long? _fingerprint;

    private protected AvroSchema(AvroType type, AvroLogicalType logicalType = AvroLogicalType.None, int precision = 0, int scale = 0)
    {
        Type = type;
        LogicalType = logicalType;
        Precision = precision;
        Scale = scale;
    }

    /// <summary>Gets the Avro type.</summary>
    public AvroType Type { get; }

    /// <summary>Gets the logical type, or <see cref="AvroLogicalType.None"/>.</summary>
    public AvroLogicalType LogicalType { get; }

    /// <summary>Gets the decimal precision (number of digits) when <see cref="LogicalType"/> is <see cref="AvroLogicalType.Decimal"/>; otherwise 0.</summary>
    public int Precision { get; }

    /// <summary>Gets the decimal scale (digits after the point) when <see cref="LogicalType"/> is <see cref="AvroLogicalType.Decimal"/>; otherwise 0.</summary>
    public int Scale { get; }

    /// <summary>Gets the Parsing Canonical Form of this schema, as defined by the specification.</summary>
    public string CanonicalForm => _canonicalForm ??= SchemaJsonWriter.Write(this, canonical: true);

    /// <summary>Gets the CRC-64-AVRO fingerprint of the <see cref="CanonicalForm"/>, the id used by single-object encoding.</summary>
    public long Fingerprint => _fingerprint ??= SchemaFingerprint.Crc64Avro(CanonicalForm);

    /// <summary>Gets the name used in unions and errors: the fullname of named types, otherwise the type name (<c>int</c>, <c>array</c>, ...).</summary>
    public virtual string DisplayName => TypeName(Type);

    internal object? WriteMinSizeCache { get; set; }

    /// <summary>Parses a schema from its JSON text.</summary>
    /// <param name="json">The schema JSON, e.g. <c>"int"</c> or <c>{"type":"record",...}</c>.</param>
    /// <returns>The parsed schema.</returns>
    /// <exception cref="AvroSchemaException">The schema is invalid; the exception names the problem and its JSON path.</exception>
    public static AvroSchema Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return SchemaParser.Parse(json);
    }

    /// <summary>Writes this schema as full JSON, with logical types, defaults, aliases and documentation.</summary>
    /// <returns>The schema JSON; parsing it again gives an equivalent schema.</returns>
    public string ToJson() => SchemaJsonWriter.Write(this, canonical: false);

    /// <inheritdoc />
    public override string ToString() => ToJson();

    internal static string TypeName(AvroType type) => type switch
    {
        AvroType.Null => "null",
        AvroType.Boolean => "boolean",
        AvroType.Int => "int",
        AvroType.Long => "long",
        AvroType.Float => "float",
        AvroType.Double => "double",
        AvroType.Bytes => "bytes",
        AvroType.String => "string",
        AvroType.Record => "record",
        AvroType.Enum => "enum",
        AvroType.Array => "array",
        AvroType.Map => "map",
        AvroType.Union => "union",
        _ => "fixed",
    };

    internal static string LogicalTypeName(AvroLogicalType type) => type switch
    {
        AvroLogicalType.Decimal => "decimal",
        AvroLogicalType.Uuid => "uuid",
        AvroLogicalType.Date => "date",
        AvroLogicalType.TimeMillis => "time-millis",
        AvroLogicalType.TimeMicros => "time-micros",
        AvroLogicalType.TimestampMillis => "timestamp-millis",
        AvroLogicalType.TimestampMicros => "timestamp-micros",
        AvroLogicalType.LocalTimestampMillis => "local-timestamp-millis",
        AvroLogicalType.LocalTimestampMicros => "local-timestamp-micros",
        _ => string.Empty,
    };
}
