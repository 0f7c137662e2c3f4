using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using DataWeaver.Errors;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Connectors;

/// <summary>
/// The <c>json</c> format with <c>framing: confluent</c>: each payload is the Confluent Schema Registry wire format of
/// JSON Schema (a zero byte, the 4-byte big-endian schema id, then the record's JSON), as Confluent's
/// <c>JsonSerializer</c> writes it.
/// </summary>
/// <param name="schemaId">The id written, and the only one accepted when reading; <see langword="null"/> reads any id and cannot write.</param>
/// <param name="options">The limits of the records read.</param>
internal sealed class ConfluentJsonCodec(int? schemaId, JsonRecordOptions options) : IRecordSerializer<JsonRecord>, IRecordDeserializer<JsonRecord>
{
    /// <summary>The size of the header: the magic byte and the schema id.</summary>
    private const int HeaderSize = 5;

    private readonly JsonRecordCodec _json = new(options);

    public string Format => "json";

    public void Serialize(in JsonRecord value, IBufferWriter<byte> writer)
    {
        var id = schemaId ?? throw new DataWeaverException(ErrorClass.Fatal, "Writing Confluent-framed JSON needs the format's schemaId.");
        var header = writer.GetSpan(HeaderSize);
        header[0] = 0;
        BinaryPrimitives.WriteInt32BigEndian(header[1..], id);
        writer.Advance(HeaderSize);
        JsonRecordCodec.Default.Serialize(value, writer);
    }

    public JsonRecord Deserialize(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize || data[0] != 0)
        {
            throw new DeserializationException("json", 0, data.Length < HeaderSize
                ? string.Create(CultureInfo.InvariantCulture, $"a Confluent-framed message has at least {HeaderSize} bytes (this one {data.Length})")
                : string.Create(CultureInfo.InvariantCulture, $"wrong Confluent magic byte 0x{data[0]:X2} (expected 0x00)"));
        }

        var id = BinaryPrimitives.ReadInt32BigEndian(data[1..]);
        if (schemaId is { } expected && id != expected)
        {
            throw new DeserializationException("json", 1, string.Create(CultureInfo.InvariantCulture, $"the message's schema id is {id}; this format reads id {expected}"));
        }

        return _json.Deserialize(data[HeaderSize..]);
    }

    public JsonRecord Deserialize(in ReadOnlySequence<byte> data) => Deserialize(data.IsSingleSegment ? data.FirstSpan : data.ToArray());
}
