using System.Globalization;
using System.Text.Json;
using DataWeaver.Configuration.Files;
using DataWeaver.Configuration.Formats;
using DataWeaver.Joins;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;
using DataWeaver.Throttling;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>
/// Compiles the <c>enrich</c> transform (a lookup join with a table read from a file through the file formats: json, csv,
/// any registered one) and the <c>throttle</c> transform (a rate limit per pipeline or per key field).
/// </summary>
internal static class JoinTransforms
{
    private static readonly string[] TableKeys = ["path", "key"];

    public static Func<PipelineBuilder<JsonRecord>, PipelineBuilder<JsonRecord>>? Enrich(
        TransformDefinition transform, ConnectorRegistry registry, string? baseDirectory, List<ConfigurationError> errors, string name)
    {
        var args = transform.Arguments;
        if (args["path"]?.Text is null || args["key"]?.Text is null)
        {
            foreach (var missing in TableKeys.Where(k => args[k] is null))
            {
                errors.Add(new ConfigurationError(ConfigurationErrorCode.Required, ConfigPath.Child(args.Path, missing), $"Missing required key '{missing}': an 'enrich' joins a table file (path) on a record field (key), or calls a service (http).", args.Location));
            }

            return null;
        }

        var formatName = args["format"]?.Text ?? "json";
        if (!registry.TryGetFileFormat(formatName, out var formatFactory))
        {
            errors.Add(ConfigurationError.At(args["format"]!, $"is not a file format ('{formatName}'); known: json, text, and those of added packages such as csv."));
            return null;
        }

        var onMissing = LookupMissingKey.PassThrough;
        switch (args["onMissing"]?.Text)
        {
            case null or "pass":
                break;
            case "drop":
                onMissing = LookupMissingKey.Drop;
                break;
            case "dead-letter":
                onMissing = LookupMissingKey.DeadLetter;
                break;
            default:
                errors.Add(ConfigurationError.At(args["onMissing"]!, "must be pass, drop or dead-letter."));
                break;
        }

        var settings = new ConnectorSettings(args, baseDirectory);
        var path = settings.GetRequiredPath("path");
        var key = JsonFieldPath.Parse(args["key"]!.Text!);
        var tableKey = JsonFieldPath.Parse(args["tableKey"]?.Text ?? args["key"]!.Text!);
        var into = JsonEncodedText.Encode(args["into"]?.Text ?? "lookup");
        var options = new LookupJoinOptions
        {
            RefreshInterval = args["refresh"] is { } refresh ? StatefulTransforms.Duration(refresh, TimeSpan.FromMinutes(10), errors) : null,
            OnMissing = onMissing,
            StateBudgetBytes = args["stateBudget"] is { } budget ? StatefulTransforms.Bytes(budget, LookupJoinOptions.DefaultStateBudgetBytes, errors) : LookupJoinOptions.DefaultStateBudgetBytes,
            Name = name,
        };
        var table = LookupTable.FromSource(
            new FileSource(path, new FileSourceOptions { Format = formatFactory(new ConnectorSettings(args["formatSettings"] ?? ConfigValue.Mapping([], args.Location, ConfigPath.Child(args.Path, "formatSettings")), baseDirectory)) }),
            row => StatefulTransforms.KeyText(row, tableKey),
            row => row.Detach());
        return b => b.LookupJoin(table, r => StatefulTransforms.KeyText(r, key), (r, row) => With(r, into, row), options);
    }

    public static Func<PipelineBuilder<JsonRecord>, PipelineBuilder<JsonRecord>>? Throttle(TransformDefinition transform, List<ConfigurationError> errors, string name)
    {
        var args = transform.Arguments;
        var rate = 1_000;
        if (args["rate"] is { } rateValue && !(int.TryParse(rateValue.Text, NumberStyles.None, CultureInfo.InvariantCulture, out rate) && rate >= 1))
        {
            errors.Add(ConfigurationError.At(rateValue, "must be a whole number of at least 1."));
        }

        int? burst = null;
        if (args["burst"] is { } burstValue)
        {
            if (int.TryParse(burstValue.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b >= 1)
            {
                burst = b;
            }
            else
            {
                errors.Add(ConfigurationError.At(burstValue, "must be a whole number of at least 1."));
            }
        }

        var onLimit = ThrottleLimitAction.Wait;
        switch (args["onLimit"]?.Text)
        {
            case null or "wait":
                break;
            case "drop":
                onLimit = ThrottleLimitAction.Drop;
                break;
            default:
                errors.Add(ConfigurationError.At(args["onLimit"]!, "must be wait or drop."));
                break;
        }

        var options = new ThrottleOptions
        {
            PermitsPerPeriod = rate,
            Period = StatefulTransforms.Duration(args["per"], TimeSpan.FromSeconds(1), errors),
            Burst = burst,
            OnLimit = onLimit,
            Name = name,
        };
        if (args["key"]?.Text is not { } keyField)
        {
            return b => b.Throttle(options);
        }

        var key = JsonFieldPath.Parse(keyField);
        return b => b.Throttle(r => StatefulTransforms.KeyText(r, key), options);
    }

    /// <summary>The record with one more field: the table row, or null for a missing key.</summary>
    private static JsonRecord With(JsonRecord record, JsonEncodedText field, JsonRecord row)
    {
        var utf8 = record.Utf8.Span;
        var end = utf8.LastIndexOf((byte)'}');
        var empty = utf8[..end].Trim(" \t\r\n"u8).Length == 1; // only the opening brace
        var value = row.IsDefault ? "null"u8 : row.Utf8.Span;
        var name = field.EncodedUtf8Bytes;
        var bytes = new byte[end + (empty ? 0 : 1) + name.Length + 3 + value.Length + 1];
        utf8[..end].CopyTo(bytes);
        var at = end;
        if (!empty)
        {
            bytes[at++] = (byte)',';
        }

        bytes[at++] = (byte)'"';
        name.CopyTo(bytes.AsSpan(at));
        at += name.Length;
        bytes[at++] = (byte)'"';
        bytes[at++] = (byte)':';
        value.CopyTo(bytes.AsSpan(at));
        at += value.Length;
        bytes[at] = (byte)'}';
        return JsonRecord.CreateUnchecked(bytes);
    }
}
