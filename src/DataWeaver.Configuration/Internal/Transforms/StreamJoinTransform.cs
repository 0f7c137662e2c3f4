using System.Buffers;
using System.Text.Json;
using DataWeaver.Joins;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>
/// Compiles the <c>join</c> transform: a stream-stream join within a window of event time between the two sides of one
/// stream, told apart by a field (<c>side</c> equal to <c>left</c>: the left side; equal to <c>right</c>, or anything else
/// when <c>right</c> is not set: the right side). Emits <c>{"left": ..., "right": ...}</c> per matching pair (the field
/// names set by <c>leftAs</c> and <c>rightAs</c>), and with <c>kind: left</c> each unmatched left record with <c>right: null</c>.
/// </summary>
internal static class StreamJoinTransform
{
    private static readonly string[] Required = ["side", "left", "key", "timestamp"];

    public static Func<PipelineBuilder<JsonRecord>, PipelineBuilder<JsonRecord>>? Join(TransformDefinition transform, List<ConfigurationError> errors, string name)
    {
        var args = transform.Arguments;
        var missing = Required.Where(k => args[k]?.Text is null).ToList();
        if (missing.Count > 0)
        {
            errors.Add(ConfigurationError.At(args, $"'join' needs {string.Join(", ", missing)} (side: the field telling the sides apart; left: its value on left records; key; timestamp: the event-time field).", ConfigurationErrorCode.MissingSetting));
            return null;
        }

        var kind = StreamJoinKind.Inner;
        switch (args["kind"]?.Text)
        {
            case null or "inner":
                break;
            case "left":
                kind = StreamJoinKind.Left;
                break;
            default:
                errors.Add(ConfigurationError.At(args["kind"]!, "must be inner or left."));
                break;
        }

        var leftAs = args["leftAs"]?.Text ?? "left";
        var rightAs = args["rightAs"]?.Text ?? "right";
        if (leftAs.Length == 0 || leftAs == rightAs)
        {
            errors.Add(ConfigurationError.At(args["leftAs"] ?? args["rightAs"] ?? args, $"leftAs and rightAs must be two different non-empty field names (were '{leftAs}' and '{rightAs}').", ConfigurationErrorCode.Conflict));
        }

        var options = new StreamJoinOptions
        {
            Window = StatefulTransforms.Duration(args["within"], TimeSpan.FromMinutes(1), errors),
            Kind = kind,
            MaxOutOfOrderness = StatefulTransforms.Duration(args["maxOutOfOrderness"], TimeSpan.Zero, errors),
            StateBudgetBytes = args["stateBudget"] is { } budget ? StatefulTransforms.Bytes(budget, StreamJoinOptions.DefaultStateBudgetBytes, errors) : StreamJoinOptions.DefaultStateBudgetBytes,
            Name = name,
        };
        var side = JsonFieldPath.Parse(args["side"]!.Text!);
        var leftValue = args["left"]!.Text!;
        var rightValue = args["right"]?.Text;
        if (rightValue == leftValue)
        {
            errors.Add(ConfigurationError.At(args["right"]!, $"must differ from left ('{leftValue}').", ConfigurationErrorCode.Conflict));
        }

        var key = JsonFieldPath.Parse(args["key"]!.Text!);
        var timestamp = JsonFieldPath.Parse(args["timestamp"]!.Text!);
        var names = (Left: JsonEncodedText.Encode(leftAs), Right: JsonEncodedText.Encode(rightAs));
        return b =>
        {
            // Records of neither side (when right is set) are dropped and counted as filtered.
            var input = rightValue is null ? b : b.Filter(r => StatefulTransforms.KeyText(r, side) is var s && (s == leftValue || s == rightValue), name + ":sides");
            return input
                .Map(static r => r.Detach(), name + ":copy")
                .StreamJoin(
                    r => StatefulTransforms.KeyText(r, side) == leftValue,
                    r => StatefulTransforms.KeyText(r, key),
                    r => StatefulTransforms.EventTime(r, timestamp),
                    (left, right) => Pair(names, left, right),
                    options);
        };
    }

    private static JsonRecord Pair((JsonEncodedText Left, JsonEncodedText Right) names, JsonRecord left, JsonRecord right)
    {
        var buffer = new ArrayBufferWriter<byte>(left.Utf8.Length + right.Utf8.Length + 32);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(names.Left);
            writer.WriteRawValue(left.Utf8.Span, skipInputValidation: true);
            writer.WritePropertyName(names.Right);
            if (right.IsDefault)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteRawValue(right.Utf8.Span, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        return JsonRecord.CreateUnchecked(buffer.WrittenMemory);
    }
}
