using System.Text.Json;
using DataWeaver.Connectors.Files;
using DataWeaver.Perf.Harness;
using DataWeaver.Perf.Peers;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Perf.Workloads.W3Ndjson;

/// <summary>
/// W3, NDJSON to NDJSON: parse each line, keep qty &gt; 2, scale amount by 1.1, rename qty to quantity, write the
/// line. Every peer's output is checked byte for byte against raw-loop's (a hash) on its first run.
/// </summary>
/// <remarks>
/// raw-loop: one thread, two <see cref="Utf8JsonReader"/> passes (check the line and read qty, then rewrite). The
/// engine peers (naive Dataflow, channels, DataWeaver) run the same per-record steps (<see cref="OrderSteps"/>:
/// DataWeaver's <c>JsonRecord</c>); the generic peers rewrite with <see cref="OrderRewriter"/>, DataWeaver with its own
/// <see cref="JsonRecordTransform"/> (<see cref="OrderTransformSerializer"/>, the same bytes); jsonserializer-object is the typed round trip on one thread:
/// <c>JsonSerializer.Deserialize</c> to an object, a new output object, <c>JsonSerializer.Serialize</c>.
/// </remarks>
internal sealed class NdjsonWorkload(long records) : NdjsonInputWorkload(records)
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public override string Name => "W3";

    public override string Title => "NDJSON to NDJSON: parse, filter, scale a field, rename a field, write";

    public override IEnumerable<PeerBench> Peers()
    {
        yield return FilePeer(PeerNames.RawLoop, RawLoop);
        foreach (var family in StageFamily.WithoutRx)
        {
            yield return FamilyPeer<JsonRecord>(
                family,
                s => s.Map(OrderSteps.Parse).Filter(OrderSteps.Keep),
                output =>
                {
                    var json = new Utf8JsonWriter(output.Buffer, WriterOptions);
                    return order => WriteLine(output, json, order.Utf8.Span);
                });
        }

        // The user's pipeline: the built-in JSON-lines sink, with a serializer that writes the scaled, renamed record
        // with the engine's JsonRecordTransform (the same bytes as OrderRewriter's).
        yield return DataWeaverPeer(path => Pipeline.From(new NdjsonSegmentSource(Input))
            .Parallel(2)
            .Map<JsonRecord, ParseOrder>(default)
            .Filter(default(KeepOrder))
            .To(new JsonLinesSink<JsonRecord>(path, new OrderTransformSerializer()))
            .Build());
        yield return FilePeer(PeerNames.JsonSerializerObject, ObjectRoundTrip);
    }

    private void RawLoop(ChunkedOutput output)
    {
        var json = new Utf8JsonWriter(output.Buffer, WriterOptions);
        foreach (var line in Input.Lines())
        {
            if (OrderJson.IsKept(ReadQty(line.Span)))
            {
                WriteLine(output, json, line.Span);
            }
        }
    }

    /// <summary>One pass over the whole line: checks it and picks up qty.</summary>
    private static long ReadQty(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        long qty = 0;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isQty = reader.ValueTextEquals(OrderJson.Qty);
            reader.Read();
            if (isQty)
            {
                qty = reader.GetInt64();
            }
            else
            {
                reader.Skip();
            }
        }

        while (reader.Read())
        {
            // Utf8JsonReader throws on anything after the object.
        }

        return qty;
    }

    private void ObjectRoundTrip(ChunkedOutput output)
    {
        var json = new Utf8JsonWriter(output.Buffer, WriterOptions);
        foreach (var line in Input.Lines())
        {
            var order = JsonSerializer.Deserialize(line.Span, OrderJsonContext.Default.OrderIn)!;
            if (OrderJson.IsKept(order.Qty))
            {
                json.Reset(output.Buffer);
                JsonSerializer.Serialize(json, new OrderOut(order.Id, order.User, order.Amount * OrderJson.Scale, order.Qty, order.Country, order.Ts), OrderJsonContext.Default.OrderOut);
                output.Buffer.Write((byte)'\n');
                output.EndRecord();
            }
        }
    }

    private static void WriteLine(ChunkedOutput output, Utf8JsonWriter json, ReadOnlySpan<byte> order)
    {
        json.Reset(output.Buffer);
        OrderRewriter.Write(order, json);
        json.Flush();
        output.Buffer.Write((byte)'\n');
        output.EndRecord();
    }
}
