using System.Collections;
using DataWeaver.Errors;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Records;

/// <summary>Finds the union branch a generic value (as the Avro reader produces it) belongs to, to write it in that branch's form.</summary>
public static class UnionBranches
{
    /// <summary>Resolves a schema to the branch of <paramref name="value"/> when it is a union; other schemas are returned as they are.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="value">The generic value.</param>
    /// <returns>The first branch that holds the value (a millisecond branch only when the value has no finer part).</returns>
    /// <exception cref="DataWeaverException">No branch holds the value (a data error).</exception>
    public static AvroSchema Resolve(AvroSchema schema, object? value)
    {
        if (schema is not UnionSchema union)
        {
            return schema;
        }

        foreach (var branch in union.Branches)
        {
            if (Holds(branch, value))
            {
                return branch;
            }
        }

        throw new DataWeaverException(ErrorClass.Data, $"no branch of union [{string.Join(", ", union.Branches.Select(AvroText.Describe))}] holds a value of type {value?.GetType().Name ?? "null"}");
    }

    private static bool Holds(AvroSchema branch, object? value)
    {
        var logical = branch.LogicalType;
        return value switch
        {
            null => branch.Type == AvroType.Null,
            bool => branch.Type == AvroType.Boolean,
            int => branch.Type == AvroType.Int && logical == AvroLogicalType.None,
            long => branch.Type == AvroType.Long && logical == AvroLogicalType.None,
            float => branch.Type == AvroType.Float,
            double => branch.Type == AvroType.Double,
            string => branch.Type == AvroType.String && logical == AvroLogicalType.None,
            byte[] => branch.Type == AvroType.Bytes && logical == AvroLogicalType.None,
            GenericFixed f => branch is FixedSchema s && s.FullName == f.Schema.FullName,
            GenericEnum e => branch is EnumSchema s && s.FullName == e.Schema.FullName,
            GenericRecord r => branch is RecordSchema s && s.FullName == r.Schema.FullName,
            IDictionary<string, object?> => branch.Type == AvroType.Map,
            IList => branch.Type == AvroType.Array,
            decimal or AvroDecimal => logical == AvroLogicalType.Decimal,
            Guid => logical == AvroLogicalType.Uuid,
            DateOnly => logical == AvroLogicalType.Date,
            TimeOnly t => logical == AvroLogicalType.TimeMicros || (logical == AvroLogicalType.TimeMillis && t.Ticks % TimeSpan.TicksPerMillisecond == 0),
            DateTime { Kind: DateTimeKind.Utc } t => logical == AvroLogicalType.TimestampMicros || (logical == AvroLogicalType.TimestampMillis && t.Ticks % TimeSpan.TicksPerMillisecond == 0),
            DateTime t => logical == AvroLogicalType.LocalTimestampMicros || (logical == AvroLogicalType.LocalTimestampMillis && t.Ticks % TimeSpan.TicksPerMillisecond == 0),
            _ => false,
        };
    }
}
