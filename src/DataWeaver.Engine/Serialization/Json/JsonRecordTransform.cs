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
        Update,
    }

    /// <summary>Creates a builder.</summary>
    /// <returns>A new builder.</returns>
    public static JsonRecordTransformBuilder CreateBuilder() => new();

    /// <summary>Writes the transformed record to a buffer writer, for example a pooled one. Does not allocate (after a thread's first call).</summary>
    /// <param name="source">The record to transform; not changed.</param>
    /// <param name="destination">Where the new JSON goes.</param>
    /// <returns>How many bytes were written.</returns>
    /// <exception cref="ArgumentException"><paramref name="source"/> is the <see langword="default"/> record.</exception>
    public long Apply(in JsonRecord source, IBufferWriter<byte> destination) => Apply(source, destination, scan: true);

    /// <summary>The same; <paramref name="scan"/> <see langword="false"/> reads every record with <see cref="Utf8JsonReader"/> (the reference the scanned path is tested against).</summary>
    internal long Apply(in JsonRecord source, IBufferWriter<byte> destination, bool scan)
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
            WriteObject(writer, source.Utf8.Span, _root, source, scan);
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

    private static void WriteObject(Utf8JsonWriter writer, ReadOnlySpan<byte> json, Node node, in JsonRecord record, bool scan)
    {
        var children = node.Frozen;
        Span<bool> seen = children.Length <= 64 ? stackalloc bool[64] : new bool[children.Length];
        seen = seen[..children.Length];
        seen.Clear();
        writer.WriteStartObject();
        if (!json.IsEmpty)
        {
            if (scan && json.IndexOf((byte)'\\') < 0)
            {
                WritePropertiesScanned(writer, json, children, seen, record);
            }
            else
            {
                WritePropertiesRead(writer, json, children, seen, record, scan);
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
                    writer.WritePropertyName(child.EncodedName);
                    value.WriteTo(writer);
                }
            }
            else if (child.WritesFor(record))
            {
                writer.WritePropertyName(child.EncodedName);
                WriteObject(writer, default, child, record, scan: true);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The properties of an object without a backslash anywhere (no escaped name, the common case): found by
    /// <see cref="JsonObjectScanner"/>'s structural walk instead of a <see cref="Utf8JsonReader"/> (the bytes are a
    /// validated record's).
    /// </summary>
    private static void WritePropertiesScanned(Utf8JsonWriter writer, ReadOnlySpan<byte> json, Node[] children, Span<bool> seen, in JsonRecord record)
    {
        var walk = JsonObjectScanner.Begin(json, out var i);
        while (walk == JsonObjectScanner.Step.Property)
        {
            if (!JsonObjectScanner.TryReadProperty(json, ref i, out var name, out var start, out var end, out var type))
            {
                ThrowMalformed();
            }

            WriteProperty(writer, json, children, seen, record, name, start, end, type, scan: true);
            walk = JsonObjectScanner.Next(json, ref i);
        }

        if (walk != JsonObjectScanner.Step.End)
        {
            ThrowMalformed();
        }
    }

    /// <summary>The properties of an object that holds an escape somewhere, read with <see cref="Utf8JsonReader"/> (names compared unescaped).</summary>
    private static void WritePropertiesRead(Utf8JsonWriter writer, ReadOnlySpan<byte> json, Node[] children, Span<bool> seen, in JsonRecord record, bool scan)
    {
        var reader = new Utf8JsonReader(json, JsonRecord.ReadOptions);
        reader.Read();
        Span<byte> nameBuffer = stackalloc byte[256];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            byte[]? rented = null;
            try
            {
                scoped ReadOnlySpan<byte> name = reader.ValueSpan;
                if (reader.ValueIsEscaped)
                {
                    var buffer = name.Length <= nameBuffer.Length ? nameBuffer : (rented = ArrayPool<byte>.Shared.Rent(name.Length));
                    name = buffer[..reader.CopyString(buffer)];
                }

                reader.Read();
                var start = (int)reader.TokenStartIndex;
                var type = reader.TokenType;
                if (type is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }

                WriteProperty(writer, json, children, seen, record, name, start, (int)reader.BytesConsumed, type, scan);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
    }

    /// <summary>
    /// Writes one property of the source object as the operation tree says: kept, renamed, set, dropped, or recursed
    /// into. Its name comes unescaped; its value lies at <c>json[start..end]</c>.
    /// </summary>
    private static void WriteProperty(Utf8JsonWriter writer, ReadOnlySpan<byte> json, Node[] children, Span<bool> seen, in JsonRecord record, ReadOnlySpan<byte> name, int start, int end, JsonTokenType type, bool scan)
    {
        var index = Find(name, children);
        var child = index < 0 ? null : children[index];
        var first = index >= 0 && !seen[index];
        if (index >= 0)
        {
            seen[index] = true;
        }

        var operation = child?.Operation ?? Operation.Keep;
        if (operation == Operation.Update)
        {
            if (first && child!.Update!(FieldAt(record, json, start, end, type), BeginValue(writer, child!.EncodedName)))
            {
                return;
            }

            if (first)
            {
                writer.WriteRawValue(json[start..end], skipInputValidation: true); // declined: the value as it was
                return;
            }

            operation = Operation.Keep; // a later field of the same name is copied
        }

        var value = operation == Operation.Set && first ? child!.ValueFor(record) : null;
        if (operation == Operation.Set && first && value is null)
        {
            operation = Operation.Keep; // a computed value of null leaves the field as it is
        }

        switch (operation)
        {
            case Operation.Keep:
                writer.WritePropertyName(name);
                break;
            case Operation.Rename:
                writer.WritePropertyName(child!.EncodedNewName);
                break;
            case Operation.Set when first:
                writer.WritePropertyName(child!.EncodedName);
                value!.WriteTo(writer);
                break;
        }

        if (operation is Operation.Set or Operation.Drop)
        {
            return;
        }

        var raw = json[start..end];
        if (child is not null && child.Frozen.Length > 0 && type == JsonTokenType.StartObject)
        {
            WriteObject(writer, raw, child, record, scan);
        }
        else
        {
            writer.WriteRawValue(raw, skipInputValidation: true);
        }
    }

    /// <summary>Writes the property's name and hands the writer on for its value.</summary>
    private static Utf8JsonWriter BeginValue(Utf8JsonWriter writer, JsonEncodedText name)
    {
        writer.WritePropertyName(name);
        return writer;
    }

    /// <summary>The field at <c>json[start..end]</c>, as a slice of the record's memory (<paramref name="json"/> lies inside it).</summary>
    private static JsonField FieldAt(in JsonRecord record, ReadOnlySpan<byte> json, int start, int end, JsonTokenType type)
    {
        record.Utf8.Span.Overlaps(json, out var offset);
        return new JsonField(record.Utf8.Slice(offset + start, end - start), type);
    }

    private static int Find(ReadOnlySpan<byte> name, Node[] children)
    {
        for (var i = 0; i < children.Length; i++)
        {
            if (name.SequenceEqual(children[i].Utf8Name))
            {
                return i;
            }
        }

        return -1;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowMalformed() =>
        throw new JsonException("The record's bytes are not the valid JSON object a JsonRecord promises (was it made with CreateUnchecked from unchecked bytes?).");

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

        /// <summary>Gets the name as the transform's writer writes it, escaped once (set by <see cref="Freeze"/>).</summary>
        public JsonEncodedText EncodedName { get; private set; }

        /// <summary>Gets a renamed field's new name, escaped once (set by <see cref="Freeze"/>).</summary>
        public JsonEncodedText EncodedNewName { get; private set; }

        /// <summary>Gets or sets what rewrites an updated field's value.</summary>
        public JsonFieldUpdate? Update { get; set; }

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
            if (Utf8Name is not null)
            {
                EncodedName = JsonEncodedText.Encode(Utf8Name, WriterOptions.Encoder);
            }

            if (Operation == Operation.Rename)
            {
                EncodedNewName = JsonEncodedText.Encode(NewName, WriterOptions.Encoder);
            }

            CreatesWhenMissing = Operation == Operation.Set || (Operation == Operation.Keep && Frozen.Any(c => c.CreatesWhenMissing));
        }
    }
}
