using System.Buffers;
using System.Net;
using System.Text.Json;
using DataWeaver.Errors;
using DataWeaver.Http.Internal;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Http.Enrichment;

/// <summary>What an HTTP enrichment does with a 404 answer.</summary>
internal enum HttpNotFound
{
    /// <summary>A data error: the record goes to the error policy (dead-letter, skip or fail).</summary>
    Error,

    /// <summary>The record goes on without the <c>into</c> field.</summary>
    Absent,
}

/// <summary>The settings of one HTTP enrichment (<c>enrich: { http: {...} }</c>), copied when it is created.</summary>
internal sealed record HttpEnrichmentOptions
{
    public required string Url { get; init; }

    public string Method { get; init; } = "GET";

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public string Into { get; init; } = "response";

    public HttpNotFound NotFound { get; init; } = HttpNotFound.Error;

    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public HttpAuthentication? Authentication { get; init; }

    public string? TrustedCaPath { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// An enrichment call per record: a GET (or a POST of the record) to a URL filled from the record's fields; the JSON answer
/// is written into the record's field <see cref="HttpEnrichmentOptions.Into"/>. Failures are classified for the pipeline's
/// error policy: no connection, a timeout, 5xx, 408 and 429 are transient (retried); another 4xx, an answer that is not
/// JSON and a record without a field the URL needs are data errors (dead-lettered with the record); a 404 is a data error
/// or leaves the field absent. Messages name the host and the status, never the URL's query or a header (secrets).
/// </summary>
internal sealed class HttpEnrichment
{
    private readonly HttpClient _client;
    private readonly HttpMethod _method;
    private readonly RecordTemplate? _template;
    private readonly string _url;
    private readonly string _host;
    private readonly JsonEncodedText _into;
    private readonly HttpEnrichmentOptions _options;

    public HttpEnrichment(HttpEnrichmentOptions options)
    {
        _options = options;
        _template = RecordTemplate.Parse(options.Url);
        _url = options.Url;
        _host = Uri.TryCreate(_template?.Sample("x") ?? options.Url, UriKind.Absolute, out var uri) ? uri.Authority : "the service";
        _method = new HttpMethod(options.Method);
        _into = JsonEncodedText.Encode(options.Into);
        _client = HttpClients.Create(int.MaxValue, options.Timeout, options.Authentication, options.Headers, options.TimeProvider, options.TrustedCaPath);
    }

    /// <summary>Checks the settings; each problem names its setting.</summary>
    public static IEnumerable<string> Validate(string url, string method)
    {
        RecordTemplate? template = null;
        string? problem = null;
        try
        {
            template = RecordTemplate.Parse(url);
        }
        catch (FormatException exception)
        {
            problem = $"url: {exception.Message}";
        }

        if (problem is not null)
        {
            yield return problem;
        }
        else if (!Uri.TryCreate(template?.Sample("x") ?? url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return "url: must be an absolute http:// or https:// URL.";
        }

        if (method is not ("GET" or "POST"))
        {
            yield return "method: must be GET or POST.";
        }
    }

    public async ValueTask<JsonRecord?> EnrichAsync(JsonRecord record, CancellationToken cancellationToken)
    {
        using var document = Parse(record);
        var url = _url;
        if (_template is not null)
        {
            url = _template.Render(document.RootElement, default, Uri.EscapeDataString, out var missing)
                ?? throw new DataWeaverException(ErrorClass.Data, $"HTTP enrichment from {_host}: {missing}.");
        }

        using var request = new HttpRequestMessage(_method, url);
        if (_method == HttpMethod.Post)
        {
            request.Content = new ReadOnlyMemoryContent(record.Utf8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DataWeaverException(ErrorClass.Transient, $"HTTP enrichment from {_host} timed out after {_options.Timeout.TotalMilliseconds:0} ms.");
        }
        catch (Exception exception) when (HttpErrors.IsTransient(exception))
        {
            throw new DataWeaverException(ErrorClass.Transient, $"HTTP enrichment from {_host} failed: {exception.GetType().Name}.");
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound && _options.NotFound == HttpNotFound.Absent)
            {
                return record;
            }

            if (!response.IsSuccessStatusCode)
            {
                var errorClass = HttpErrors.IsTransient(response.StatusCode) ? ErrorClass.Transient : ErrorClass.Data;
                throw new DataWeaverException(errorClass, $"HTTP enrichment from {_host} answered {(int)response.StatusCode} ({response.ReasonPhrase}).");
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return Merge(document.RootElement, body);
        }
    }

    private static JsonDocument Parse(JsonRecord record)
    {
        var document = JsonDocument.Parse(record.Utf8);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new DataWeaverException(ErrorClass.Data, "HTTP enrichment needs records that are JSON objects.");
        }

        return document;
    }

    /// <summary>The record with the answer in the field <c>into</c> (replacing one of that name).</summary>
    private JsonRecord Merge(JsonElement record, byte[] answer)
    {
        var buffer = new ArrayBufferWriter<byte>(answer.Length + 256);
        try
        {
            using var writer = new Utf8JsonWriter(buffer);
            writer.WriteStartObject();
            foreach (var property in record.EnumerateObject())
            {
                if (!property.NameEquals(_into.EncodedUtf8Bytes))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WritePropertyName(_into);
            writer.WriteRawValue(answer.Length == 0 ? "null"u8 : answer);
            writer.WriteEndObject();
        }
        catch (JsonException)
        {
            throw new DataWeaverException(ErrorClass.Data, $"HTTP enrichment from {_host} answered a body that is not JSON ({answer.Length} bytes).");
        }

        return JsonRecord.CreateUnchecked(buffer.WrittenMemory);
    }
}
