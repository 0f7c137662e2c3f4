using DataWeaver.Serialization.Avro.Binary;

namespace DataWeaver.Serialization.Avro.Internal.Reading;

/// <summary>Reads one value from the binary encoding.</summary>
/// <param name="r">The reader.</param>
/// <returns>The value.</returns>
internal delegate object? ReadFunc(ref AvroReader r);

/// <summary>One step of a read plan built for a (writer, reader) schema pair: reads the writer's encoding and produces the reader's generic value.</summary>
internal abstract class ReadNode
{
    public abstract object? Read(ref AvroReader r);

    public virtual void Skip(ref AvroReader r) => Read(ref r);
}

/// <summary>A leaf node made of a delegate.</summary>
internal sealed class FuncNode : ReadNode
{
    private readonly ReadFunc _read;
    private readonly ReadFunc? _skip;

    public FuncNode(ReadFunc read, ReadFunc? skip = null)
    {
        _read = read;
        _skip = skip;
    }

    public override object? Read(ref AvroReader r) => _read(ref r);

    public override void Skip(ref AvroReader r) => (_skip ?? _read)(ref r);
}

/// <summary>A writer union: reads the branch index, then the branch's plan.</summary>
internal sealed class UnionNode(ReadNode?[] branches, string[] errors) : ReadNode
{
    public override object? Read(ref AvroReader r)
    {
        var start = r.Offset;
        var index = r.ReadUnionIndex(branches.Length);
        return branches[index] is { } node ? node.Read(ref r) : ThrowHelper.ThrowData<object?>(start, errors[index]);
    }

    public override void Skip(ref AvroReader r)
    {
        var start = r.Offset;
        var index = r.ReadUnionIndex(branches.Length);
        if (branches[index] is { } node)
        {
            node.Skip(ref r);
        }
        else
        {
            ThrowHelper.ThrowData(start, errors[index]);
        }
    }
}

/// <summary>An array, read block by block.</summary>
internal sealed class ArrayNode : ReadNode
{
    /// <summary>The most items that take no bytes (nulls, empty records) one datum may hold, in all its arrays together.</summary>
    public const long MaxZeroSizeItems = 1_000_000;

    public ReadNode Items { get; set; } = null!;

    public int ItemMinSize { get; set; }

    public override object? Read(ref AvroReader r)
    {
        r.Enter();
        var list = new List<object?>();
        long count;
        while ((count = r.ReadBlockCount(out _)) != 0)
        {
            r.CheckBlock(count, ItemMinSize, MaxZeroSizeItems);
            for (long i = 0; i < count; i++)
            {
                list.Add(Items.Read(ref r));
            }
        }

        r.Leave();
        return list;
    }

    public override void Skip(ref AvroReader r)
    {
        r.Enter();
        long count;
        while ((count = r.ReadBlockCount(out var size)) != 0)
        {
            if (size >= 0)
            {
                r.Skip(size);
                continue;
            }

            r.CheckBlock(count, ItemMinSize, MaxZeroSizeItems);
            for (long i = 0; i < count; i++)
            {
                Items.Skip(ref r);
            }
        }

        r.Leave();
    }
}

/// <summary>A map, read block by block.</summary>
internal sealed class MapNode : ReadNode
{
    public ReadNode Values { get; set; } = null!;

    public override object? Read(ref AvroReader r)
    {
        r.Enter();
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        long count;
        while ((count = r.ReadBlockCount(out _)) != 0)
        {
            r.CheckBlock(count, 1, 0);
            for (long i = 0; i < count; i++)
            {
                var key = r.ReadString();
                map[key] = Values.Read(ref r);
            }
        }

        r.Leave();
        return map;
    }

    public override void Skip(ref AvroReader r)
    {
        r.Enter();
        long count;
        while ((count = r.ReadBlockCount(out var size)) != 0)
        {
            if (size >= 0)
            {
                r.Skip(size);
                continue;
            }

            r.CheckBlock(count, 1, 0);
            for (long i = 0; i < count; i++)
            {
                r.ReadBytesSpan();
                Values.Skip(ref r);
            }
        }

        r.Leave();
    }
}
