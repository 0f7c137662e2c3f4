using System.Collections;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal.Writing;

/// <summary>Chooses the union branch a value is written as: an exact match first, then a promotion or looser match.</summary>
internal static class UnionBranch
{
    public static int Select(UnionSchema union, object? value)
    {
        var branches = union.Branches;
        for (var i = 0; i < branches.Count; i++)
        {
            if (Matches(branches[i], value, exact: true))
            {
                return i;
            }
        }

        for (var i = 0; i < branches.Count; i++)
        {
            if (Matches(branches[i], value, exact: false))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool Matches(AvroSchema s, object? v, bool exact)
    {
        var lt = s.LogicalType;
        return v switch
        {
            null => s.Type == AvroType.Null,
            bool => s.Type == AvroType.Boolean,
            int => s.Type == AvroType.Int && lt == AvroLogicalType.None || (!exact && s.Type is AvroType.Long or AvroType.Float or AvroType.Double && lt == AvroLogicalType.None),
            long => s.Type == AvroType.Long && lt == AvroLogicalType.None || (!exact && s.Type is AvroType.Float or AvroType.Double),
            float => s.Type == AvroType.Float || (!exact && s.Type == AvroType.Double),
            double => s.Type == AvroType.Double,
            string str => (s.Type == AvroType.String && (lt == AvroLogicalType.None || !exact)) || (!exact && s is EnumSchema e && e.IndexOf(str) >= 0),
            byte[] b => (s.Type == AvroType.Bytes && lt == AvroLogicalType.None) || (s is FixedSchema f && f.Size == b.Length && (lt == AvroLogicalType.None || !exact)),
            ReadOnlyMemory<byte> or Memory<byte> or ArraySegment<byte> => s.Type == AvroType.Bytes,
            GenericRecord r => s is RecordSchema rs && (rs.FullName == r.Schema.FullName || (!exact && rs.Name == r.Schema.Name)),
            GenericEnum ge => s is EnumSchema es && (es.FullName == ge.Schema.FullName || (!exact && es.IndexOf(ge.Symbol) >= 0)),
            GenericFixed gf => s is FixedSchema fs && (fs.FullName == gf.Schema.FullName || (!exact && fs.Size == gf.Value.Length)),
            decimal or AvroDecimal => lt == AvroLogicalType.Decimal,
            Guid => lt == AvroLogicalType.Uuid || (!exact && s.Type == AvroType.String),
            DateOnly => lt == AvroLogicalType.Date,
            TimeOnly or TimeSpan => lt is AvroLogicalType.TimeMicros || (!exact && lt == AvroLogicalType.TimeMillis),
            DateTime { Kind: DateTimeKind.Unspecified } => lt is AvroLogicalType.LocalTimestampMicros || (!exact && lt is AvroLogicalType.LocalTimestampMillis or AvroLogicalType.TimestampMicros or AvroLogicalType.TimestampMillis),
            DateTime or DateTimeOffset => lt is AvroLogicalType.TimestampMicros || (!exact && lt is AvroLogicalType.TimestampMillis or AvroLogicalType.LocalTimestampMicros or AvroLogicalType.LocalTimestampMillis),
            short or byte or sbyte or ushort => s.Type == AvroType.Int && lt == AvroLogicalType.None || (!exact && s.Type == AvroType.Long),
            uint => s.Type == AvroType.Long && lt == AvroLogicalType.None,
            Enum en => s is EnumSchema es2 && (es2.Name == en.GetType().Name || (!exact && es2.IndexOf(en.ToString()) >= 0)),
            IDictionary => s.Type == AvroType.Map,
            IEnumerable => s.Type == AvroType.Array,
            _ => s is RecordSchema rec && (rec.Name == v.GetType().Name || !exact),
        };
    }
}
