using System.Runtime.CompilerServices;
using System.Collections.Concurrent;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal.Reading;

/// <summary>
/// Builds the read plan that resolves a writer schema against a reader schema, per the specification's
/// resolution rules, once per pair: plans are cached on the writer schema instance.
/// </summary>
internal sealed class ReadPlanBuilder
{
    private static readonly ConditionalWeakTable<AvroSchema, ConcurrentDictionary<AvroSchema, ReadNode>> Plans = [];

    private readonly Dictionary<(AvroSchema, AvroSchema), ReadNode> _named = new(new PairComparer());

    public static ReadNode Get(AvroSchema writer, AvroSchema reader)
    {
        var perWriter = Plans.GetValue(writer, static _ => new ConcurrentDictionary<AvroSchema, ReadNode>(ReferenceEqualityComparer.Instance));
        if (perWriter.TryGetValue(reader, out var plan))
        {
            return plan;
        }

        plan = new ReadPlanBuilder().Node(writer, reader, "$");
        return perWriter.GetOrAdd(reader, plan);
    }

    private ReadNode Node(AvroSchema w, AvroSchema r, string path)
    {
        if (w is UnionSchema wu)
        {
            var nodes = new ReadNode?[wu.Branches.Count];
            var errors = new string[wu.Branches.Count];
            for (var i = 0; i < nodes.Length; i++)
            {
                try
                {
                    nodes[i] = Node(wu.Branches[i], r, path);
                }
                catch (AvroSchemaException ex)
                {
                    errors[i] = $"writer union branch {i} ('{wu.Branches[i].DisplayName}') cannot be read as '{r.DisplayName}': {ex.Problem}";
                }
            }

            return nodes.All(n => n is null)
                ? throw new AvroSchemaException(path, $"no branch of the writer union can be read as '{r.DisplayName}'")
                : new UnionNode(nodes, errors);
        }

        if (r is UnionSchema ru)
        {
            var branch = ru.Branches.FirstOrDefault(b => SameKind(w, b)) ?? ru.Branches.FirstOrDefault(b => Promotes(w.Type, b.Type))
                ?? throw new AvroSchemaException(path, $"writer type '{w.DisplayName}' matches no branch of the reader union [{string.Join(", ", ru.Branches.Select(b => b.DisplayName))}]");
            return Node(w, branch, path);
        }

        switch (w.Type, r.Type)
        {
            case (AvroType.Null, AvroType.Null):
                return new FuncNode(static (ref AvroReader _) => null);
            case (AvroType.Boolean, AvroType.Boolean):
                return new FuncNode(static (ref AvroReader x) => x.ReadBoolean());
            case (AvroType.Int, AvroType.Int):
                return IntNode(Logical(w, r));
            case (AvroType.Int, AvroType.Long):
                return new FuncNode(static (ref AvroReader x) => (long)x.ReadInt());
            case (AvroType.Int, AvroType.Float):
                return new FuncNode(static (ref AvroReader x) => (float)x.ReadInt());
            case (AvroType.Int, AvroType.Double):
                return new FuncNode(static (ref AvroReader x) => (double)x.ReadInt());
            case (AvroType.Long, AvroType.Long):
                return LongNode(Logical(w, r));
            case (AvroType.Long, AvroType.Float):
                return new FuncNode(static (ref AvroReader x) => (float)x.ReadLong());
            case (AvroType.Long, AvroType.Double):
                return new FuncNode(static (ref AvroReader x) => (double)x.ReadLong());
            case (AvroType.Float, AvroType.Float):
                return new FuncNode(static (ref AvroReader x) => x.ReadFloat());
            case (AvroType.Float, AvroType.Double):
                return new FuncNode(static (ref AvroReader x) => (double)x.ReadFloat());
            case (AvroType.Double, AvroType.Double):
                return new FuncNode(static (ref AvroReader x) => x.ReadDouble());
            case (AvroType.String, AvroType.String):
                return Logical(w, r) == AvroLogicalType.Uuid
                    ? new FuncNode(static (ref AvroReader x) => ReadUuid(ref x), SkipBytes)
                    : new FuncNode(static (ref AvroReader x) => x.ReadString(), SkipBytes);
            case (AvroType.Bytes, AvroType.String):
                return new FuncNode(static (ref AvroReader x) => x.ReadString(), SkipBytes);
            case (AvroType.String, AvroType.Bytes):
                return new FuncNode(static (ref AvroReader x) => x.ReadBytes(), SkipBytes);
            case (AvroType.Bytes, AvroType.Bytes):
                if (Logical(w, r) == AvroLogicalType.Decimal)
                {
                    CheckScale(w, r, path);
                    var scale = r.Scale;
                    return new FuncNode((ref AvroReader x) => LogicalValues.DecimalFromBytes(x.ReadBytesSpan(), scale), SkipBytes);
                }

                return new FuncNode(static (ref AvroReader x) => x.ReadBytes(), SkipBytes);
            case (AvroType.Fixed, AvroType.Fixed):
                return FixedNode((FixedSchema)w, (FixedSchema)r, path);
            case (AvroType.Enum, AvroType.Enum):
                return EnumNode((EnumSchema)w, (EnumSchema)r, path);
            case (AvroType.Array, AvroType.Array):
                var array = new ArrayNode { ItemMinSize = MinSize.Of(((ArraySchema)w).Items) };
                array.Items = Node(((ArraySchema)w).Items, ((ArraySchema)r).Items, path + ".items");
                return array;
            case (AvroType.Map, AvroType.Map):
                return new MapNode { Values = Node(((MapSchema)w).Values, ((MapSchema)r).Values, path + ".values") };
            case (AvroType.Record, AvroType.Record):
                return RecordNode((RecordSchema)w, (RecordSchema)r, path);
            default:
                throw new AvroSchemaException(path, $"writer type '{w.DisplayName}' cannot be read as reader type '{r.DisplayName}'");
        }
    }

    private static AvroLogicalType Logical(AvroSchema w, AvroSchema r) =>
        w.LogicalType == r.LogicalType || w.LogicalType == AvroLogicalType.None ? r.LogicalType : AvroLogicalType.None;

    private static void CheckScale(AvroSchema w, AvroSchema r, string path)
    {
        if (w.LogicalType == AvroLogicalType.Decimal && w.Scale != r.Scale)
        {
            throw new AvroSchemaException(path, $"the writer's decimal scale {w.Scale} differs from the reader's {r.Scale}");
        }
    }

    private static readonly ReadFunc SkipBytes = static (ref AvroReader x) =>
    {
        x.ReadBytesSpan();
        return null;
    };

    private static FuncNode IntNode(AvroLogicalType logical) => logical switch
    {
        AvroLogicalType.Date => new FuncNode(static (ref AvroReader x) =>
        {
            var start = x.Offset;
            return LogicalValues.TryDate(x.ReadInt(), out var d) ? d : ThrowHelper.ThrowData<object?>(start, "date out of the supported range");
        }),
        AvroLogicalType.TimeMillis => new FuncNode(static (ref AvroReader x) =>
        {
            var start = x.Offset;
            return LogicalValues.TryTime(x.ReadInt(), TimeSpan.TicksPerMillisecond, out var t) ? t : ThrowHelper.ThrowData<object?>(start, "time-millis out of the range of a day");
        }),
        _ => new FuncNode(static (ref AvroReader x) => x.ReadInt()),
    };

    private static FuncNode LongNode(AvroLogicalType logical) => logical switch
    {
        AvroLogicalType.TimeMicros => new FuncNode(static (ref AvroReader x) =>
        {
            var start = x.Offset;
            return LogicalValues.TryTime(x.ReadLong(), TimeSpan.TicksPerMicrosecond, out var t) ? t : ThrowHelper.ThrowData<object?>(start, "time-micros out of the range of a day");
        }),
        AvroLogicalType.TimestampMillis => Timestamp(TimeSpan.TicksPerMillisecond, DateTimeKind.Utc),
        AvroLogicalType.TimestampMicros => Timestamp(TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc),
        AvroLogicalType.LocalTimestampMillis => Timestamp(TimeSpan.TicksPerMillisecond, DateTimeKind.Unspecified),
        AvroLogicalType.LocalTimestampMicros => Timestamp(TimeSpan.TicksPerMicrosecond, DateTimeKind.Unspecified),
        _ => new FuncNode(static (ref AvroReader x) => x.ReadLong()),
    };

    private static FuncNode Timestamp(long ticksPerUnit, DateTimeKind kind) => new((ref AvroReader x) =>
    {
        var start = x.Offset;
        return LogicalValues.TryTimestamp(x.ReadLong(), ticksPerUnit, kind, out var t) ? t : ThrowHelper.ThrowData<object?>(start, "timestamp out of the supported range");
    });

    private static object ReadUuid(ref AvroReader x)
    {
        var start = x.Offset;
        var s = x.ReadString();
        return Guid.TryParse(s, out var g) ? g : ThrowHelper.ThrowData<object>(start, $"'{s}' is not a valid uuid");
    }

    private static FuncNode FixedNode(FixedSchema w, FixedSchema r, string path)
    {
        if (!NamesMatch(w, r) || w.Size != r.Size)
        {
            throw new AvroSchemaException(path, $"writer fixed '{w.FullName}' ({w.Size} bytes) does not match reader fixed '{r.FullName}' ({r.Size} bytes)");
        }

        var size = w.Size;
        if (Logical(w, r) == AvroLogicalType.Decimal)
        {
            CheckScale(w, r, path);
            var scale = r.Scale;
            return new FuncNode((ref AvroReader x) => LogicalValues.DecimalFromBytes(x.ReadFixed(size), scale));
        }

        return new FuncNode((ref AvroReader x) => new GenericFixed(r, x.ReadFixed(size).ToArray()), (ref AvroReader x) => x.ReadFixed(size).Length);
    }

    private static FuncNode EnumNode(EnumSchema w, EnumSchema r, string path)
    {
        if (!NamesMatch(w, r))
        {
            throw new AvroSchemaException(path, $"writer enum '{w.FullName}' does not match reader enum '{r.FullName}'");
        }

        var symbols = w.Symbols.Select(s => r.IndexOf(s) >= 0 ? new GenericEnum(r, s) : r.Default is { } d ? new GenericEnum(r, d) : null).ToArray();
        var count = w.Symbols.Count;
        return new FuncNode((ref AvroReader x) =>
        {
            var start = x.Offset;
            var index = x.ReadEnum(count);
            return symbols[index] ?? ThrowHelper.ThrowData<object?>(start, $"writer symbol '{w.Symbols[index]}' is not in reader enum '{r.FullName}', which has no default");
        });
    }

    private RecordNode RecordNode(RecordSchema w, RecordSchema r, string path)
    {
        if (_named.TryGetValue((w, r), out var existing))
        {
            return (RecordNode)existing;
        }

        if (!NamesMatch(w, r))
        {
            throw new AvroSchemaException(path, $"writer record '{w.FullName}' does not match reader record '{r.FullName}' (neither the name nor an alias)");
        }

        var node = new RecordNode(r);
        _named[(w, r)] = node;
        var matched = new bool[r.Fields.Count];
        var steps = new List<(int, ReadNode)>();
        foreach (var wf in w.Fields)
        {
            var rf = r.Fields.FirstOrDefault(f => f.Name == wf.Name) ?? r.Fields.FirstOrDefault(f => f.Aliases.Contains(wf.Name));
            if (rf is not null && !matched[rf.Position])
            {
                matched[rf.Position] = true;
                steps.Add((rf.Position, Node(wf.Schema, rf.Schema, $"{path}.fields[{rf.Position}]")));
            }
            else
            {
                steps.Add((-1, Node(wf.Schema, wf.Schema, $"{path}.{wf.Name}")));
            }
        }

        var defaults = new List<AvroField>();
        foreach (var rf in r.Fields)
        {
            if (!matched[rf.Position])
            {
                if (!rf.HasDefault)
                {
                    throw new AvroSchemaException($"{path}.fields[{rf.Position}]", $"reader field '{rf.Name}' of record '{r.FullName}' is not in the writer schema and has no default");
                }

                defaults.Add(rf);
            }
        }

        node.Init([.. steps], [.. defaults]);
        return node;
    }

    internal static bool NamesMatch(NamedSchema w, NamedSchema r) =>
        r.IsNamed(w.FullName) || r.Name == w.Name || r.Aliases.Any(a => a == w.Name || a.EndsWith("." + w.Name, StringComparison.Ordinal) && w.Namespace is null);

    internal static bool SameKind(AvroSchema w, AvroSchema r) => w.Type == r.Type && (w is not NamedSchema wn || NamesMatch(wn, (NamedSchema)r));

    internal static bool Promotes(AvroType w, AvroType r) => (w, r) switch
    {
        (AvroType.Int, AvroType.Long or AvroType.Float or AvroType.Double) => true,
        (AvroType.Long, AvroType.Float or AvroType.Double) => true,
        (AvroType.Float, AvroType.Double) => true,
        (AvroType.String, AvroType.Bytes) => true,
        (AvroType.Bytes, AvroType.String) => true,
        _ => false,
    };

    private sealed class PairComparer : IEqualityComparer<(AvroSchema, AvroSchema)>
    {
        public bool Equals((AvroSchema, AvroSchema) x, (AvroSchema, AvroSchema) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((AvroSchema, AvroSchema) obj) => HashCode.Combine(RuntimeHelpers.GetHashCode(obj.Item1), RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
