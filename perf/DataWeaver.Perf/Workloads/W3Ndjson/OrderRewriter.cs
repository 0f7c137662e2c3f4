using System.Buffers;
using System.Text.Json;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Perf.Workloads.W3Ndjson;

/// <summary>
/// Writes an order with its amount scaled by 1.1 and qty renamed to quantity, copying every other field as it is
/// (one <see cref="Utf8JsonReader"/> pass over the input, one <see cref="Utf8JsonWriter"/> over the output): both edits
/// are made while writing, so the scale costs no lookup of its own.
/// </summary>
internal static class OrderRewriter
{
    public static void Write(ReadOnlySpan<byte> order, Utf8JsonWriter writer)
    {
        var reader = new Utf8JsonReader(order);
        writer.WriteStartObject();
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isAmount = reader.ValueTextEquals(OrderJson.Amount);
            writer.WritePropertyName(reader.ValueTextEquals(OrderJson.Qty) ? OrderJson.Quantity : reader.ValueSpan);
            reader.Read();
            if (isAmount)
            {
                writer.WriteNumberValue(reader.GetDouble() * OrderJson.Scale);
                continue;
            }

            // Any other value is copied as it is in the input (escapes, nested objects and arrays included).
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            writer.WriteRawValue(order[start..(int)reader.BytesConsumed], skipInputValidation: true);
        }

        writer.WriteEndObject();
    }
}

/// <summary>
/// The same rewrite with the engine's own <see cref="JsonRecordTransform"/>: amount updated in place
/// (<see cref="JsonRecordTransformBuilder.Update"/>), qty renamed, every other field copied, in one structural pass
/// over each record. What DataWeaver's W3 peer writes with (the bytes equal <see cref="OrderRewriter"/>'s).
/// </summary>
internal sealed class OrderTransformSerializer : IRecordSerializer<JsonRecord>
{
    private static readonly JsonRecordTransform Transform = JsonRecordTransform.CreateBuilder()
        .Update(JsonFieldPath.Parse("amount"), static (amount, writer) =>
        {
            if (!amount.TryGetDouble(out var value))
            {
                return false;
            }

            writer.WriteNumberValue(value * OrderJson.Scale);
            return true;
        })
        .Rename("qty", "quantity")
        .Build();

    public string Format => "json";

    public void Serialize(in JsonRecord value, IBufferWriter<byte> writer) => Transform.Apply(value, writer);
}
