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
        var value = args["value"]?.Text is { } valueField ? JsonFieldPath.Parse(valueField) : null;
        var spec = ReadWindow(args, "window", errors, name);
        var options = spec.Options with
        {
            DistinctCount = args["distinct"]?.Text is "true",
            ApproximateDistinctPrecision = ApproximatePrecision(args["approximateDistinct"], errors),
            CollectLimit = args["collect"] is { } collect ? Count(collect, 0, errors) : 0,
        };
        Func<JsonRecord, double> valueOf = value is null ? static _ => 0 : r => r.TryGetDouble(value, out var v) ? v : 0;
        if (spec.IsEventTime && spec.EventTime is null)
        {
            return null;
        }

        var early = EarlyResults.Marker(args);
        return spec.EventTime is { } eventTime
            ? b => b.WindowByEventTime(eventTime, spec.KeyOf, valueOf, options).Map(r => ToJson(r, early), name + ":json")
            : b => b.Window(spec.KeyOf, valueOf, options).Map(r => ToJson(r, early), name + ":json");
    }

    /// <summary>What a window-shaped transform (<c>window</c>, <c>reduce</c>) says about its windows, key and time.</summary>
    internal readonly record struct WindowSpec(WindowOptions Options, Func<JsonRecord, string> KeyOf, bool IsEventTime, Func<JsonRecord, DateTimeOffset>? EventTime);

    /// <summary>Reads the window settings shared by <c>window</c> and <c>reduce</c>: type, size, hop, gap, time, timestamp, out-of-orderness, lateness, key, budget and bound.</summary>
    internal static WindowSpec ReadWindow(ConfigValue args, string transformName, List<ConfigurationError> errors, string name)
    {
        var key = args["key"]?.Text is { } keyField ? JsonFieldPath.Parse(keyField) : null;
        var kind = WindowKind.Tumbling;
        switch (args["type"]?.Text)
        {
            case null or "tumbling":
                break;
            case "hopping":
                kind = WindowKind.Hopping;
                break;
            case "session":
                kind = WindowKind.Session;
                break;
            default:
                errors.Add(ConfigurationError.At(args["type"]!, "must be tumbling, hopping or session."));
                break;
        }

        var size = Duration(args["size"], TimeSpan.FromMinutes(1), errors);
        var options = new WindowOptions
        {
            Kind = kind,
            Size = size,
            Hop = args["hop"] is { } hop ? Duration(hop, size, errors) : null,
            Gap = Duration(args["gap"], TimeSpan.FromMinutes(1), errors),
            MaxOutOfOrderness = Duration(args["maxOutOfOrderness"], TimeSpan.Zero, errors),
            AllowedLateness = Duration(args["allowedLateness"], TimeSpan.Zero, errors),
            MaxKeys = args["maxKeys"] is { } maxKeys ? Count(maxKeys, 1_000_000, errors) : 1_000_000,
            StateBudgetBytes = args["stateBudget"] is { } budget ? Bytes(budget, WindowOptions.DefaultStateBudgetBytes, errors) : WindowOptions.DefaultStateBudgetBytes,
            CheckpointState = args["checkpointState"]?.Text is "true",
            SnapshotInterval = Duration(args["snapshotInterval"], TimeSpan.FromSeconds(1), errors),
            SpillDirectory = args["spillDirectory"]?.Text,
            SpillMaxBytes = args["spillMaxBytes"] is { } spillMax ? Bytes(spillMax, WindowOptions.DefaultSpillMaxBytes, errors) : WindowOptions.DefaultSpillMaxBytes,
            Name = name,
        };
        options = EarlyResults.Apply(options, args, transformName, errors);
        if (kind == WindowKind.Hopping && args["hop"] is null)
        {
            errors.Add(ConfigurationError.At(args, $"'{transformName}' with type: hopping needs hop.", ConfigurationErrorCode.Conflict));
        }

        if (kind != WindowKind.Session && args["size"] is null)
        {
            errors.Add(ConfigurationError.At(args, $"'{transformName}' with type: {args["type"]?.Text ?? "tumbling"} needs size.", ConfigurationErrorCode.Conflict));
        }

        if (kind == WindowKind.Session && args["gap"] is null)
        {
            errors.Add(ConfigurationError.At(args, $"'{transformName}' with type: session needs gap.", ConfigurationErrorCode.Conflict));
        }

        Func<JsonRecord, string> keyOf = key is null ? static _ => string.Empty : r => KeyText(r, key);
        if (args["time"]?.Text != "event")
        {
            if (args["allowedLateness"] is { } lateness)
            {
                errors.Add(ConfigurationError.At(lateness, "allowedLateness applies to time: event only.", ConfigurationErrorCode.Conflict));
            }

            return new WindowSpec(options, keyOf, IsEventTime: false, EventTime: null);
        }

        if (args["timestamp"]?.Text is not { } timestampField)
        {
            errors.Add(ConfigurationError.At(args, $"'{transformName}' with time: event needs a timestamp field.", ConfigurationErrorCode.Conflict));
            return new WindowSpec(options, keyOf, IsEventTime: true, EventTime: null);
        }

        var timestamp = JsonFieldPath.Parse(timestampField);
        return new WindowSpec(options, keyOf, IsEventTime: true, r => EventTime(r, timestamp));
    }

    /// <summary><c>approximateDistinct</c>: <c>true</c> (the default precision), <c>false</c>, or a precision from 4 to 18.</summary>
    private static int? ApproximatePrecision(ConfigValue? value, List<ConfigurationError> errors)
    {
        switch (value?.Text)
        {
            case null or "false":
                return null;
            case "true":
                return HyperLogLogSketch.DefaultPrecision;
        }

        if (int.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var precision) && precision is >= HyperLogLogSketch.MinPrecision and <= HyperLogLogSketch.MaxPrecision)
        {
            return precision;
        }

        errors.Add(ConfigurationError.At(value, $"must be true, false or a precision from {HyperLogLogSketch.MinPrecision} to {HyperLogLogSketch.MaxPrecision}.", ConfigurationErrorCode.Range));
        return null;
    }

    /// <summary>A field's value as text: a string as it is, any other value as its JSON text; missing: the empty key.</summary>
    internal static string KeyText(JsonRecord record, JsonFieldPath path)
    {
        if (!record.TryGetField(path, out var field))
        {
            return string.Empty;
        }

        return field.TryGetString(out var text) ? text : field.ToString();
    }

    /// <summary>ISO 8601 text or Unix milliseconds; a record without a readable time counts as the earliest time (late).</summary>
    internal static DateTimeOffset EventTime(JsonRecord record, JsonFieldPath path)
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

    private static JsonRecord ToJson(WindowResult<string> result, JsonEncodedText early)
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
            writer.WriteNumber("first", result.First);
            writer.WriteNumber("last", result.Last);
            if (result.DistinctCount is { } distinct)
            {
                writer.WriteNumber("distinct", distinct);
            }

            if (result.ApproximateDistinctCount is { } approximate)
            {
                writer.WriteNumber("approximateDistinct", approximate);
            }

            if (result.Values is { } values)
            {
                writer.WriteStartArray("values");
                foreach (var v in values)
                {
                    writer.WriteNumberValue(v);
                }

                writer.WriteEndArray();
            }

            if (result.IsUpdate)
            {
                writer.WriteBoolean("update", true);
            }

            if (result.IsEarly)
            {
                writer.WriteBoolean(early, true);
            }

            writer.WriteEndObject();
        }

        return JsonRecord.CreateUnchecked(buffer.WrittenMemory);
    }

    internal static TimeSpan Duration(ConfigValue? value, TimeSpan defaultValue, List<ConfigurationError> errors)
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

    internal static long Bytes(ConfigValue value, long defaultValue, List<ConfigurationError> errors)
    {
        if (Units.TryParseSize(value, out var bytes) && bytes >= 64 * 1024)
        {
            return bytes;
        }

        errors.Add(ConfigurationError.At(value, "must be a size of at least 64KiB such as 64MiB or 1GiB."));
        return defaultValue;
    }

    internal static int Count(ConfigValue? value, int defaultValue, List<ConfigurationError> errors)
    {
        if (value is null)
        {
            return defaultValue;
        }

        if (int.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= Math.Min(1, defaultValue))
        {
            return count;
        }

        errors.Add(ConfigurationError.At(value, "must be a whole number from 1 to 100000000."));
        return defaultValue;
    }
}
