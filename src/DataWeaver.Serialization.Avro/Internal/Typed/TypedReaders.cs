using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Internal.Reading;

namespace DataWeaver.Serialization.Avro.Internal.Typed;

/// <summary>
/// Reads a value written with one schema straight into <typeparamref name="T"/>, resolving it against a reader
/// schema on the way: no generic record, no boxing. Built once per (writer schema, reader schema, type) by
/// <see cref="TypedReaderBuilder"/>; thread-safe (no state between calls).
/// </summary>
/// <typeparam name="T">The target type.</typeparam>
internal abstract class TypedReader<T>
{
    public abstract T Read(ref AvroReader r);

    /// <summary>Throws the data error for a value that decodes but does not fit <typeparamref name="T"/>.</summary>
    protected static TResult Unmappable<TResult>(long offset, string reason) =>
        ThrowHelper.ThrowData<TResult>(offset, $"the value cannot be mapped to {typeof(T).Name}: {reason}");
}

internal sealed class BooleanReader : TypedReader<bool>
{
    public override bool Read(ref AvroReader r) => r.ReadBoolean();
}

internal sealed class IntReader : TypedReader<int>
{
    public override int Read(ref AvroReader r) => r.ReadInt();
}

internal sealed class LongReader(bool fromInt) : TypedReader<long>
{
    /// <summary>Gets a value indicating whether the writer wrote an int (promoted to long).</summary>
    public bool FromInt => fromInt;

    public override long Read(ref AvroReader r) => fromInt ? r.ReadInt() : r.ReadLong();
}

internal sealed class FloatReader(Schema.AvroType writer) : TypedReader<float>
{
    /// <summary>Gets the writer's type (float, or an int or long promoted).</summary>
    public Schema.AvroType Writer => writer;

    public override float Read(ref AvroReader r) => writer switch
    {
        Schema.AvroType.Float => r.ReadFloat(),
        Schema.AvroType.Int => r.ReadInt(),
        _ => r.ReadLong(),
    };
}

internal sealed class DoubleReader(Schema.AvroType writer) : TypedReader<double>
{
    /// <summary>Gets the writer's type (double, or a float, int or long promoted).</summary>
    public Schema.AvroType Writer => writer;

    public override double Read(ref AvroReader r) => writer switch
    {
        Schema.AvroType.Double => r.ReadDouble(),
        Schema.AvroType.Float => r.ReadFloat(),
        Schema.AvroType.Int => r.ReadInt(),
        _ => r.ReadLong(),
    };
}

internal sealed class StringReader : TypedReader<string>
{
    public override string Read(ref AvroReader r) => r.ReadString();
}

internal sealed class BytesReader : TypedReader<byte[]>
{
    public override byte[] Read(ref AvroReader r) => r.ReadBytes();
}

/// <summary>A writer enum read as a C# enum or as the reader's symbol: one precomputed result per writer index.</summary>
internal sealed class EnumReader<T>(int symbolCount, T[] values, string?[] errors) : TypedReader<T>
{
    public override T Read(ref AvroReader r)
    {
        var start = r.Offset;
        var index = r.ReadEnum(symbolCount);
        return errors[index] is { } error ? ThrowHelper.ThrowData<T>(start, error) : values[index];
    }
}

/// <summary>The null branch: <see langword="default"/> for a type that holds null, otherwise a data error.</summary>
internal sealed class NullReader<T> : TypedReader<T>
{
    private static readonly bool AcceptsNull = !typeof(T).IsValueType || Nullable.GetUnderlyingType(typeof(T)) is not null;

    public override T Read(ref AvroReader r) => AcceptsNull ? default! : Unmappable<T>(r.Offset, $"the value is null but {typeof(T).Name} is not nullable");
}

/// <summary>A value read as <typeparamref name="T"/> and returned as <c>T?</c>.</summary>
internal sealed class NullableReader<T>(TypedReader<T> inner) : TypedReader<T?>
    where T : struct
{
    public override T? Read(ref AvroReader r) => inner.Read(ref r);
}

/// <summary>A value read as a concrete type and returned as one of its interfaces (<c>IList&lt;T&gt;</c> from <c>List&lt;T&gt;</c>).</summary>
internal sealed class UpcastReader<TFrom, TTo>(TypedReader<TFrom> inner) : TypedReader<TTo>
    where TFrom : TTo
{
    public override TTo Read(ref AvroReader r) => inner.Read(ref r);
}

/// <summary>A writer union: reads the branch index, then that branch's reader.</summary>
internal sealed class UnionReader<T>(TypedReader<T>?[] branches, string?[] errors) : TypedReader<T>
{
    public override T Read(ref AvroReader r)
    {
        var start = r.Offset;
        var index = r.ReadUnionIndex(branches.Length);
        return branches[index] is { } branch ? branch.Read(ref r) : ThrowHelper.ThrowData<T>(start, errors[index]!);
    }
}

internal sealed class ListReader<T>(TypedReader<T> items, int itemMinSize) : TypedReader<List<T>>
{
    public override List<T> Read(ref AvroReader r)
    {
        r.Enter();
        var list = new List<T>();
        long count;
        while ((count = r.ReadBlockCount(out _)) != 0)
        {
            r.CheckBlock(count, itemMinSize, ArrayNode.MaxZeroSizeItems);
            list.EnsureCapacity(list.Count + (int)Math.Min(count, 1024));
            for (long i = 0; i < count; i++)
            {
                list.Add(items.Read(ref r));
            }
        }

        r.Leave();
        return list;
    }
}

internal sealed class ArrayReader<T>(ListReader<T> list) : TypedReader<T[]>
{
    public override T[] Read(ref AvroReader r) => [.. list.Read(ref r)];
}

internal sealed class DictionaryReader<T>(TypedReader<T> values) : TypedReader<Dictionary<string, T>>
{
    public override Dictionary<string, T> Read(ref AvroReader r)
    {
        r.Enter();
        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        long count;
        while ((count = r.ReadBlockCount(out _)) != 0)
        {
            r.CheckBlock(count, 1, 0);
            for (long i = 0; i < count; i++)
            {
                var key = r.ReadString();
                map[key] = values.Read(ref r);
            }
        }

        r.Leave();
        return map;
    }
}

/// <summary>A record read by a compiled method (see <see cref="RecordReaderEmitter"/>) straight into the constructor arguments and properties of <typeparamref name="T"/>.</summary>
internal sealed class RecordReader<T> : TypedReader<T>
{
    public TypedRead<T> ReadFields { get; set; } = null!;

    public override T Read(ref AvroReader r)
    {
        r.Enter();
        var value = ReadFields(ref r);
        r.Leave();
        return value;
    }
}

/// <summary>Reads one value with the compiled body of a record reader.</summary>
internal delegate T TypedRead<T>(ref AvroReader r);

/// <summary>A reader field the writer does not have, or a constructor parameter no field feeds: its default, converted to <typeparamref name="T"/>, fresh per record.</summary>
internal sealed class DefaultReader<T>(Func<object?> value, Func<object?, object?> convert) : TypedReader<T>
{
    public override T Read(ref AvroReader r)
    {
        object? converted;
        try
        {
            converted = convert(value());
        }
        catch (InvalidCastException ex)
        {
            return Unmappable<T>(r.Offset, ex.Message);
        }

        return converted is T t ? t : converted is null && NullReaderAccepts() ? default! : Unmappable<T>(r.Offset, $"the default is {converted?.GetType().Name ?? "null"}");
    }

    private static bool NullReaderAccepts() => !typeof(T).IsValueType || Nullable.GetUnderlyingType(typeof(T)) is not null;
}

/// <summary>
/// Any pair the typed readers do not cover (logical types, fixed, <see cref="object"/> targets, numeric
/// conversions outside the promotions): the generic read plan and the generic-to-typed converter.
/// </summary>
internal sealed class FallbackReader<T>(ReadNode node, Func<object?, object?> convert) : TypedReader<T>
{
    public override T Read(ref AvroReader r)
    {
        var start = r.Offset;
        var value = node.Read(ref r);
        object? converted;
        try
        {
            converted = convert(value);
        }
        catch (InvalidCastException ex)
        {
            return Unmappable<T>(start, ex.Message);
        }

        return converted is T t ? t : converted is null && (!typeof(T).IsValueType || Nullable.GetUnderlyingType(typeof(T)) is not null)
            ? default!
            : Unmappable<T>(start, $"a value of type {converted?.GetType().Name ?? "null"} cannot be converted to {typeof(T).Name}");
    }
}
