using System.Text;
using DataWeaver.Configuration.Internal.Transforms;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Messages;

/// <summary>
/// A message key or header value from a record: a field or dotted path (<c>customer.id</c>), or a template with
/// <c>{field}</c> placeholders (<c>order-{id}</c>). A field, or a template that is one placeholder alone, renders nothing
/// (<see langword="null"/>) when the field is missing or null.
/// </summary>
internal sealed class MessageTemplate
{
    private readonly JsonFieldPath? _field;
    private readonly Template<JsonRecord>? _template;

    private MessageTemplate(JsonFieldPath? field, Template<JsonRecord>? template)
    {
        _field = field;
        _template = template;
    }

    /// <summary>Returns why <paramref name="text"/> is no field and no template, or <see langword="null"/> when it is one.</summary>
    public static string? Check(string text)
    {
        Compile(text, out var error);
        return error;
    }

    /// <summary>Compiles a key or header value (checked at load: see <see cref="Check"/>).</summary>
    public static MessageTemplate Compile(string text) =>
        Compile(text, out var error) ?? throw new InvalidOperationException(error);

    /// <summary>Renders the UTF-8 bytes, or <see langword="null"/> when the field is missing or null.</summary>
    public byte[]? Render(in JsonRecord record)
    {
        if (_field is not null)
        {
            return record.TryGetField(_field, out var field) && field.Kind != System.Text.Json.JsonValueKind.Null ? Encoding.UTF8.GetBytes(FieldValues.Text(field)) : null;
        }

        return Encoding.UTF8.GetBytes(_template!.Render(record));
    }

    private static MessageTemplate? Compile(string text, out string? error)
    {
        error = null;
        var trimmed = text.Trim();
        var lone = trimmed.Length > 2 && trimmed[0] == '{' && trimmed[^1] == '}' && trimmed.IndexOf('{', 1) < 0 && trimmed.IndexOf('}') == trimmed.Length - 1;
        if (!text.Contains('{', StringComparison.Ordinal) && !text.Contains('}', StringComparison.Ordinal) || lone)
        {
            var name = lone ? trimmed[1..^1].Trim() : text;
            if (FieldOperations.Placeholder(name) is { Render: null } placeholder)
            {
                error = placeholder.Error;
                return null;
            }

            return new MessageTemplate(JsonFieldPath.Parse(name), null);
        }

        var template = Template<JsonRecord>.TryCompile(text, FieldOperations.Placeholder, out error);
        return template is null ? null : new MessageTemplate(null, template);
    }
}

/// <summary>
/// Makes the message a sink of messages writes from a record: its key (<c>key:</c>) and headers (<c>headers:</c>), and the
/// value encoded without the source's <c>$meta</c>.
/// </summary>
internal sealed class MessageEnvelope(MessageTemplate? key, IReadOnlyList<(string Name, MessageTemplate Value)> headers)
{
    /// <summary>Creates the envelope of a sink, or <see langword="null"/> when it has neither key nor headers.</summary>
    public static MessageEnvelope? Create(ConnectorDefinition sink) =>
        sink.Key is null && sink.Headers is not { Count: > 0 }
            ? null
            : new MessageEnvelope(
                sink.Key is { } key ? MessageTemplate.Compile(key) : null,
                [.. (sink.Headers ?? []).Select(h => (h.Key, MessageTemplate.Compile(h.Value)))]);

    /// <summary>The message of <paramref name="record"/> whose encoded value is <paramref name="value"/>.</summary>
    public Record<ReadOnlyMemory<byte>> Wrap(in JsonRecord record, byte[] value)
    {
        RecordHeaders? recordHeaders = null;
        foreach (var (name, template) in headers)
        {
            if (template.Render(record) is { } bytes)
            {
                (recordHeaders ??= []).Add(name, bytes);
            }
        }

        return new(key?.Render(record) ?? ReadOnlyMemory<byte>.Empty, value, recordHeaders, default, default);
    }
}
