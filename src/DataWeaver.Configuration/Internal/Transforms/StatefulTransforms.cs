using System.Buffers;
using System.Globalization;
using System.Text.Json;
using DataWeaver.Deduplication;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;
using DataWeaver.Windowing;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>
/// Compiles the stateful transforms of a definition: <c>dedupe</c> (de-duplication by a field within a time to live) and
/// <c>window</c> (tumbling windows with per-key count, sum, min, max and avg, emitted as JSON records).
/// </summary>
internal static class StatefulTransforms
{
    public static Func<PipelineBuilder<JsonRecord>, PipelineBuilder<JsonRecord>>? Dedupe(TransformDefinition transform, List<ConfigurationError> errors, string name)
    {
        var args = transform.Arguments;
        var key = JsonFieldPath.Parse(args["key"]!.Text!);
        var options = new DeduplicationOptions
        {
            TimeToLive = Duration(args["ttl"], TimeSpan.FromMinutes(10), errors),
            MaxKeys = Count(args["maxKeys"], 1_000_000, errors),
            Name = name,
        };
        return b => b.Deduplicate(r => KeyText(r, key), options);
    }

    public static Func<PipelineBuilder<JsonRecord>, PipelineBuilder<JsonRecord>>? Window(TransformDefinition transform, List<ConfigurationError> errors, string name)
    {
        var args = transform.Arguments;
        var key = args["key"]?.Text is { } keyField ? JsonFieldPath.Parse(keyField) : null;
        var value = args["value"]?.Text is { } valueField ? JsonFieldPath.Parse(valueField) : null;
        var options = new TumblingWindowOptions
        {
            Size = Duration(args["size"], TimeSpan.FromMinutes(1), errors),
            MaxOutOfOrderness = Duration(args["maxOutOfOrderness"], TimeSpan.Zero, errors),
            MaxKeys = Count(args["maxKeys"], 1_000_000, errors),
            Name = name,
        };
        Func<JsonRecord, string> keyOf = key is null ? static _ => string.Empty : r => KeyText(r, key);
        Func<JsonRecord, double> valueOf = value is null ? static _ => 0 : r => r.TryGetDouble(value, out var v) ? v : 0;
        var eventTime = args["time"]?.Text == "event";
        if (!eventTime)
        {
            return b => b.TumblingWindow(keyOf, valueOf, options).Map(ToJson, name + ":json");
        }

        if (args["timestamp"]?.Text is not { } timestampField)
        {
            errors.Add(ConfigurationError.At(args, "'window' with time: event needs a timestamp field.", ConfigurationErrorCode.Conflict));
            return null;
        }

        var timestamp = JsonFieldPath.Parse(timestampField);
        return b => b.TumblingWindowByEventTime(r => EventTime(r, timestamp), keyOf, valueOf, options).Map(ToJson, name + ":json");
    }

    /// <summary>A field's value as text: a string as it is, any other value as its JSON text; missing: the empty key.</summary>
    private static string KeyText(JsonRecord record, JsonFieldPath path)
    {
        if (!record.TryGetField(path, out var field))
        {
            return string.Empty;
        }

        return field.TryGetString(out var text) ? text : field.ToString();
    }

    /// <summary>ISO 8601 text or Unix milliseconds; a record without a readable time counts as the earliest time (late).</summary>
    private static DateTimeOffset EventTime(JsonRecord record, JsonFieldPath path)
    {
        if (record.TryGetField(path, out var field))
        {
            if (field.TryGetInt64(out var ms) && Timestamps.TryFromUnix(ms, milliseconds: true, out var fromUnix))
            {
                return fromUnix;
            }

            if (field.TryGetString(out var text) && Timestamps.TryParseIso(text, out var fromIso))
            {
                return fromIso;
            }
        }

        return DateTimeOffset.UnixEpoch;
    }

    private static JsonRecord ToJson(WindowResult<string> result)
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("key", result.Key);
            writer.WriteString("start", Timestamps.FormatIso(result.Start));
            writer.WriteString("end", Timestamps.FormatIso(result.End));
            writer.WriteNumber("count", result.Count);
            writer.WriteNumber("sum", result.Sum);
            writer.WriteNumber("min", result.Min);
            writer.WriteNumber("max", result.Max);
            writer.WriteNumber("avg", result.Average);
            writer.WriteEndObject();
        }

        return JsonRecord.CreateUnchecked(buffer.WrittenMemory);
    }

    private static TimeSpan Duration(ConfigValue? value, TimeSpan defaultValue, List<ConfigurationError> errors)
    {
        if (value is null)
        {
            return defaultValue;
        }

        if (Units.TryParseDuration(value.Text, out var duration))
        {
            return duration;
        }

        errors.Add(ConfigurationError.At(value, "must be a duration such as 50ms, 5s or 2m."));
        return defaultValue;
    }

    private static int Count(ConfigValue? value, int defaultValue, List<ConfigurationError> errors)
    {
        if (value is null)
        {
            return defaultValue;
        }

        if (int.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1)
        {
            return count;
        }

        errors.Add(ConfigurationError.At(value, "must be a whole number from 1 to 100000000."));
        return defaultValue;
    }
}
