using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataWeaver.Buffers;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// Set, rename and drop fields of <see cref="JsonRecord"/>s in one pass, writing the new JSON with a
/// <see cref="Utf8JsonWriter"/>. Built once by <see cref="JsonRecordTransformBuilder"/> (typically from a pipeline's
/// configuration) and applied to every record. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Fields the transform does not touch are copied byte for byte (their values are not re-encoded). Non-ASCII text in
/// names and values is written unescaped. Every field named like a set field is replaced by one field at the place of
/// the first; an operation below a field that is not an object leaves the record unchanged there.
/// </remarks>
public sealed class JsonRecordTransform
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static PooledBufferWriter? t_scratch;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly Node _root;

    internal JsonRecordTransform(Node root) => _root = root;

    internal enum Operation
    {
        Keep,
        Set,
        Rename,
        Drop,
    }

    /// <summary>Creates a builder.</summary>
    /// <returns>A new builder.</returns>
    public static JsonRecordTransformBuilder CreateBuilder() => new();

    /// <summary>Writes the transformed record to a buffer writer, for example a pooled one. Does not allocate (after a thread's first call).</summary>
    /// <param name="source">The record to transform; not changed.</param>
    /// <param name="destination">Where the new JSON goes.</param>
    /// <returns>How many bytes were written.</returns>
    /// <exception cref="ArgumentException"><paramref name="source"/> is the <see langword="default"/> record.</exception>
    public long Apply(in JsonRecord source, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (source.IsDefault)
        {
            throw new ArgumentException("The default JsonRecord has no JSON to transform.", nameof(source));
        }

        var writer = t_writer;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(destination, WriterOptions);
            t_writer = writer;
        }
        else
        {
            writer.Reset(destination);
        }

        try
        {
            WriteObject(writer, source.Utf8.Span, _root, source);
            writer.Flush();
            return writer.BytesCommitted;
        }
        finally
        {
            writer.Reset();
        }
    }

    /// <summary>Transforms a record into a new record that owns its bytes: written into a pooled scratch buffer, then copied out.</summary>
    /// <param name="source">The record to transform; not changed.</param>
    /// <returns>The new record. Allocates its array (exactly its length).</returns>
    /// <exception cref="ArgumentException"><paramref name="source"/> is the <see langword="default"/> record.</exception>
    public JsonRecord Apply(in JsonRecord source)
    {
        var scratch = t_scratch ??= new PooledBufferWriter(4096);
        scratch.Clear();
        Apply(source, scratch);
        return new JsonRecord(scratch.WrittenSpan.ToArray());
    }

    private static void WriteObject(Utf8JsonWriter writer, ReadOnlySpan<byte> json, Node node, in JsonRecord record)
    {
        var children = node.Frozen;
        Span<bool> seen = children.Length <= 64 ? stackalloc bool[64] : new bool[children.Length];
        seen = seen[..children.Length];
        seen.Clear();
        writer.WriteStartObject();
        if (!json.IsEmpty)
        {
            var reader = new Utf8JsonReader(json, JsonRecord.ReadOptions);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var index = Find(ref reader, children);
                var child = index < 0 ? null : children[index];
                var first = index >= 0 && !seen[index];
                if (index >= 0)
                {
                    seen[index] = true;
                }

                var operation = child?.Operation ?? Operation.Keep;
                var value = operation == Operation.Set && first ? child!.ValueFor(record) : null;
                if (operation == Operation.Set && first && value is null)
                {
                    operation = Operation.Keep; // a computed value of null leaves the field as it is
                }

                switch (operation)
                {
                    case Operation.Keep:
                        WriteName(writer, ref reader);
                        break;
                    case Operation.Rename:
                        writer.WritePropertyName(child!.NewName);
                        break;
                    case Operation.Set when first:
                        writer.WritePropertyName(child!.Utf8Name!);
                        value!.WriteTo(writer);
                        break;
                }

                reader.Read();
                var start = (int)reader.TokenStartIndex;
                var type = reader.TokenType;
                if (type is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }

                if (operation is Operation.Set or Operation.Drop)
                {
                    continue;
                }

                var raw = json[start..(int)reader.BytesConsumed];
                if (child is not null && child.Frozen.Length > 0 && type == JsonTokenType.StartObject)
                {
                    WriteObject(writer, raw, child, record);
                }
                else
                {
                    writer.WriteRawValue(raw, skipInputValidation: true);
                }
            }
        }

        for (var i = 0; i < children.Length; i++)
        {
            var child = children[i];
            if (seen[i] || !child.CreatesWhenMissing)
            {
                continue;
            }

            if (child.Operation == Operation.Set)
            {
                if (child.ValueFor(record) is { } value)
                {
                    writer.WritePropertyName(child.Utf8Name!);
                    value.WriteTo(writer);
                }
            }
            else if (child.WritesFor(record))
            {
                writer.WritePropertyName(child.Utf8Name!);
                WriteObject(writer, default, child, record);
            }
        }

        writer.WriteEndObject();
    }

    private static int Find(ref Utf8JsonReader reader, Node[] children)
    {
        for (var i = 0; i < children.Length; i++)
        {
            if (reader.ValueTextEquals(children[i].Utf8Name))
            {
                return i;
            }
        }

        return -1;
    }

    private static void WriteName(Utf8JsonWriter writer, ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            writer.WritePropertyName(reader.ValueSpan);
            return;
        }

        byte[]? rented = null;
        var buffer = reader.ValueSpan.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length));
        try
        {
            var length = reader.CopyString(buffer);
            writer.WritePropertyName(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>One field of the operation tree: what happens to it, and the operations below it.</summary>
    internal sealed class Node(string? name, List<Node> children)
    {
        public string? Name { get; } = name;

        public byte[]? Utf8Name { get; } = name is null ? null : Encoding.UTF8.GetBytes(name);

        public List<Node> Children { get; } = children;

        public Node[] Frozen { get; private set; } = [];

        public Operation Operation { get; set; }

        public JsonFieldValue? Value { get; set; }

        /// <summary>Gets or sets the function computing a set field's value from the whole record; <see langword="null"/> for a constant value.</summary>
        public Func<JsonRecord, JsonFieldValue?>? Compute { get; set; }

        public byte[] NewName { get; set; } = [];

        /// <summary>The value a set writes for <paramref name="record"/>: the constant, or the computed one (<see langword="null"/>: leave the field as it is).</summary>
        public JsonFieldValue? ValueFor(in JsonRecord record) => Value ?? Compute?.Invoke(record);

        /// <summary>Gets a value indicating whether a missing object is written for <paramref name="record"/>: a set below it has a value for it.</summary>
        public bool WritesFor(in JsonRecord record)
        {
            foreach (var child in Frozen)
            {
                if (child.Operation == Operation.Set ? child.ValueFor(record) is not null : child.CreatesWhenMissing && child.WritesFor(record))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Gets a value indicating whether a missing field is written: a set, or a plain object holding a set.</summary>
        public bool CreatesWhenMissing { get; private set; }

        public void Freeze()
        {
            foreach (var child in Children)
            {
                child.Freeze();
            }

            Frozen = [.. Children];
            CreatesWhenMissing = Operation == Operation.Set || (Operation == Operation.Keep && Frozen.Any(c => c.CreatesWhenMissing));
        }
    }
}
