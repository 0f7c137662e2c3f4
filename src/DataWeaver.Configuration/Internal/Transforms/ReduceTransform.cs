using System.Buffers;
using System.Text.Json;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;
using DataWeaver.Windowing;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>
/// Compiles the <c>reduce</c> transform: the records of each key (or of all records, without <c>key</c>) in each window are
/// merged into one record, field by field: named top-level fields by their strategy (sum, min, max, first, last), every
/// other field as in the first or the last record (<c>keep</c>), plus <c>windowStart</c> and <c>windowEnd</c>.
/// </summary>
internal static class ReduceTransform
{
    private static readonly JsonEncodedText WindowStart = JsonEncodedText.Encode("windowStart");
    private static readonly JsonEncodedText WindowEnd = JsonEncodedText.Encode("windowEnd");
    private static readonly JsonEncodedText Update = JsonEncodedText.Encode("update");

    private enum Strategy
    {
        Sum,
        Min,
        Max,
        First,
        Last,
    }

    public static Func<PipelineBuilder<JsonRecord>, PipelineBuilder<JsonRecord>>? Reduce(TransformDefinition transform, List<ConfigurationError> errors, string name)
    {
        var args = transform.Arguments;
        var spec = StatefulTransforms.ReadWindow(args, "reduce", errors, name);
        var keepLast = true;
        switch (args["keep"]?.Text)
        {
            case null or "last":
                break;
            case "first":
                keepLast = false;
                break;
            default:
                errors.Add(ConfigurationError.At(args["keep"]!, "must be first or last."));
                break;
        }

        Dictionary<string, Strategy> strategies = new(StringComparer.Ordinal);
        foreach (var field in args["fields"]?.Properties ?? [])
        {
            Strategy? strategy = field.Value.Text switch
            {
                "sum" => Strategy.Sum,
                "min" => Strategy.Min,
                "max" => Strategy.Max,
                "first" => Strategy.First,
                "last" => Strategy.Last,
                _ => null,
            };
            if (strategy is null)
            {
                errors.Add(ConfigurationError.At(field.Value, "must be sum, min, max, first or last."));
                continue;
            }

            strategies[field.Name] = strategy.Value;
        }

        if (spec.IsEventTime && spec.EventTime is null)
        {
            return null;
        }

        var merger = new Merger(strategies, keepLast);
        Func<JsonRecord, JsonRecord, JsonRecord> reducer = merger.Merge;
        var early = EarlyResults.Marker(args);
        return spec.EventTime is { } eventTime
            ? b => b.Map(static r => r.Detach(), name + ":copy").ReduceByEventTime(eventTime, spec.KeyOf, reducer, spec.Options).Map(r => ToJson(r, early), name + ":json")
            : b => b.Map(static r => r.Detach(), name + ":copy").Reduce(spec.KeyOf, reducer, spec.Options).Map(r => ToJson(r, early), name + ":json");
    }

    private static JsonRecord ToJson(WindowOutput<string, JsonRecord> result, JsonEncodedText early)
    {
        var buffer = new ArrayBufferWriter<byte>(result.Value.Utf8.Length + 96);
        using (var document = JsonDocument.Parse(result.Value.Utf8))
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!property.NameEquals(WindowStart.EncodedUtf8Bytes) && !property.NameEquals(WindowEnd.EncodedUtf8Bytes) && !property.NameEquals(Update.EncodedUtf8Bytes) && !property.NameEquals(early.EncodedUtf8Bytes))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteString(WindowStart, Timestamps.FormatIso(result.Start));
            writer.WriteString(WindowEnd, Timestamps.FormatIso(result.End));
            if (result.IsUpdate)
            {
                writer.WriteBoolean(Update, true);
            }

            if (result.IsEarly)
            {
                writer.WriteBoolean(early, true);
            }

            writer.WriteEndObject();
        }

        return JsonRecord.CreateUnchecked(buffer.WrittenMemory);
    }

    /// <summary>Merges two records (the earlier on the left) into a new one; a record that is not a JSON object is kept as the later one.</summary>
    private sealed class Merger(Dictionary<string, Strategy> strategies, bool keepLast)
    {
        public JsonRecord Merge(JsonRecord earlier, JsonRecord later)
        {
            using var a = JsonDocument.Parse(earlier.Utf8);
            using var b = JsonDocument.Parse(later.Utf8);
            if (a.RootElement.ValueKind != JsonValueKind.Object || b.RootElement.ValueKind != JsonValueKind.Object)
            {
                return later;
            }

            var (kept, other) = keepLast ? (b.RootElement, a.RootElement) : (a.RootElement, b.RootElement);
            var buffer = new ArrayBufferWriter<byte>(Math.Max(earlier.Utf8.Length, later.Utf8.Length) + 32);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                foreach (var property in kept.EnumerateObject())
                {
                    if (strategies.TryGetValue(property.Name, out var strategy))
                    {
                        a.RootElement.TryGetProperty(property.Name, out var left);
                        b.RootElement.TryGetProperty(property.Name, out var right);
                        writer.WritePropertyName(property.Name);
                        Combine(writer, strategy, left, right);
                    }
                    else
                    {
                        property.WriteTo(writer);
                    }
                }

                // Strategy fields only the other record has.
                foreach (var (field, strategy) in strategies)
                {
                    if (!kept.TryGetProperty(field, out _) && other.TryGetProperty(field, out _))
                    {
                        a.RootElement.TryGetProperty(field, out var left);
                        b.RootElement.TryGetProperty(field, out var right);
                        writer.WritePropertyName(field);
                        Combine(writer, strategy, left, right);
                    }
                }

                writer.WriteEndObject();
            }

            return JsonRecord.CreateUnchecked(buffer.WrittenMemory);
        }

        /// <summary>Writes the merged value of a field from the earlier (<paramref name="a"/>) and the later (<paramref name="b"/>) record; a missing field is <c>default</c>.</summary>
        private static void Combine(Utf8JsonWriter writer, Strategy strategy, JsonElement a, JsonElement b)
        {
            var hasA = a.ValueKind != JsonValueKind.Undefined;
            var hasB = b.ValueKind != JsonValueKind.Undefined;
            if (strategy == Strategy.First || (!hasB && hasA) || (strategy != Strategy.Last && a.ValueKind == JsonValueKind.Number && b.ValueKind != JsonValueKind.Number))
            {
                (hasA ? a : b).WriteTo(writer);
                return;
            }

            if (strategy == Strategy.Last || !hasA || a.ValueKind != JsonValueKind.Number || b.ValueKind != JsonValueKind.Number)
            {
                (hasB ? b : a).WriteTo(writer);
                return;
            }

            if (a.TryGetInt64(out var x) && b.TryGetInt64(out var y))
            {
                switch (strategy)
                {
                    case Strategy.Sum when !AddOverflows(x, y):
                        writer.WriteNumberValue(x + y);
                        return;
                    case Strategy.Min:
                        writer.WriteNumberValue(Math.Min(x, y));
                        return;
                    case Strategy.Max:
                        writer.WriteNumberValue(Math.Max(x, y));
                        return;
                }
            }

            var (p, q) = (a.GetDouble(), b.GetDouble());
            writer.WriteNumberValue(strategy switch
            {
                Strategy.Sum => p + q,
                Strategy.Min => Math.Min(p, q),
                _ => Math.Max(p, q),
            });
        }

        private static bool AddOverflows(long x, long y) => ((x + y) ^ x) < 0 && ((x + y) ^ y) < 0;
    }
}
