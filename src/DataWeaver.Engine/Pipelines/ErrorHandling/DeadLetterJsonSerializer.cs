using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using DataWeaver.Serialization;

namespace DataWeaver.Pipelines.ErrorHandling;

/// <summary>
/// Writes a dead letter as one JSON object, e.g. for <c>new JsonLinesSink&lt;DeadLetter&gt;(path, new DeadLetterJsonSerializer())</c>:
/// <c>{"error":{"class":"Data","type":"…","message":"…"},"stage":"map2","source":"orders.jsonl","partition":0,"offset":1234,
/// "batchEnd":5678,"attempts":1,"time":"2026-11-21T06:00:00.0000000Z","payload":…}</c>. The payload is embedded as
/// JSON when it is one valid JSON value in valid UTF-8, else as a base64 string of its exact bytes in <c>payloadBase64</c>
/// (so a line with invalid UTF-8 is kept byte for byte).
/// </summary>
public sealed class DeadLetterJsonSerializer : IRecordSerializer<DeadLetter>
{
    /// <inheritdoc />
    public string Format => "json";

    /// <inheritdoc />
    public void Serialize(in DeadLetter value, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var json = new Utf8JsonWriter(writer);
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("class", value.ErrorClass.ToString());
        json.WriteString("type", value.Exception.GetType().FullName);
        json.WriteString("message", value.Exception.Message);
        json.WriteEndObject();
        json.WriteString("stage", value.Stage);
        json.WriteString("source", value.Source);
        if ((value.Position ?? value.BatchEnd) is { } where)
        {
            json.WriteNumber("partition", where.Partition);
        }

        if (value.Position is { } position)
        {
            json.WriteNumber("offset", position.Offset);
        }

        if (value.BatchEnd is { } end)
        {
            json.WriteNumber("batchEnd", end.Offset);
        }

        json.WriteNumber("attempts", value.Attempts);
        json.WriteString("time", value.Time.UtcDateTime);
        WritePayload(json, value.Payload.Span);
        json.WriteEndObject();
    }

    private static void WritePayload(Utf8JsonWriter json, ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        try
        {
            // Only valid UTF-8 is embedded: the JSON writer would replace invalid bytes with U+FFFD, losing the original.
            if (payload.Length > 0 && Utf8.IsValid(payload) && JsonDocument.TryParseValue(ref reader, out var document) && reader.BytesConsumed == payload.Length)
            {
                using (document)
                {
                    json.WritePropertyName("payload");
                    document.WriteTo(json);
                    return;
                }
            }
        }
        catch (JsonException)
        {
        }

        json.WriteBase64String("payloadBase64", payload);
    }
}
