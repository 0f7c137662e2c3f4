using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Http.Internal;
using DataWeaver.Records;
using DataWeaver.Tracing;

namespace DataWeaver.Http;

/// <summary>
/// Sends records to an HTTP endpoint: batches as a JSON array or NDJSON, or one request per record, with up to
/// <see cref="HttpSinkOptions.MaxConcurrency"/> requests in flight. A batch is acknowledged once the server answered 2xx to
/// every one of its requests.
/// </summary>
/// <remarks>
/// <para>
/// Failures: connection errors, timeouts, 5xx, 408 and 429 are retried with exponential backoff (a <c>Retry-After</c> of the
/// server replaces the backoff) up to <see cref="HttpSinkOptions.MaxAttempts"/> tries, then fail the write as a transient
/// error. Any other 4xx is a data error naming the status and an excerpt of the response body: under a dead-letter policy the
/// engine then writes the batch's records one by one, so exactly the records the server refuses reach the dead-letter port
/// (records of the batch the server already took are not sent again).
/// </para>
/// <para>Delivery is at least once: a request whose answer was lost is sent again.</para>
/// </remarks>
public sealed class HttpSink : SinkConnector<Record<ReadOnlyMemory<byte>>>
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue Ndjson = new("application/x-ndjson");
    private readonly HashSet<Record<ReadOnlyMemory<byte>>> _deliveredOfFailedBatch = [];
    private readonly Uri _url;
    private readonly RecordTemplate? _urlTemplate;
    private readonly (string Name, RecordTemplate Template)[] _headerTemplates;
    private readonly Dictionary<string, string> _fixedHeaders;
    private readonly HttpMethod _method;
    private HttpClient? _client;
    private long _requests;
    private long _retries;

    /// <summary>Creates the sink.</summary>
    /// <param name="options">Where records go and how.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>http:{host}</c>.</param>
    /// <exception cref="PipelineConfigurationException">The options are invalid (every problem listed).</exception>
    public HttpSink(HttpSinkOptions options, string? name = null)
        : base(name ?? HttpErrors.NameOf("http:", options?.Url))
    {
        ArgumentNullException.ThrowIfNull(options);
        HttpErrors.ThrowIfInvalid(options.Validate());
        Options = options;
        _urlTemplate = RecordTemplate.Parse(options.Url);
        _url = new Uri(_urlTemplate?.Sample("x") ?? options.Url);
        _method = options.Method == "PUT" ? HttpMethod.Put : HttpMethod.Post;
        _fixedHeaders = [];
        var templated = new List<(string, RecordTemplate)>();
        foreach (var (header, value) in options.Headers ?? new Dictionary<string, string>())
        {
            if (RecordTemplate.Parse(value) is { } template)
            {
                templated.Add((header, template));
            }
            else
            {
                _fixedHeaders[header] = value;
            }
        }

        _headerTemplates = [.. templated];
    }

    /// <summary>Gets the options.</summary>
    public HttpSinkOptions Options { get; }

    /// <summary>Gets how many requests were sent (retries included).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Gets how many requests were sent again after a transient failure.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <inheritdoc />
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        var client = HttpClients.Create(Options.MaxConcurrency, Options.RequestTimeout, Options.Authentication, _fixedHeaders, Options.TimeProvider, Options.TrustedCaPath);
        _client = client;
        return default;
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
    {
        var client = _client ?? throw new InvalidOperationException($"{Name} is not open.");
        lock (_deliveredOfFailedBatch)
        {
            if (batch.Length == 1 && _deliveredOfFailedBatch.Remove(batch.Span[0]))
            {
                return; // the engine isolates a failed batch record by record: this one was taken already
            }

            if (batch.Length > 1)
            {
                _deliveredOfFailedBatch.Clear();
            }
        }

        var size = Options.Body == HttpSinkBody.PerRecord ? 1 : Options.MaxBatchRecords;
        var chunks = new List<Chunk>((batch.Length + size - 1) / size);
        if (_urlTemplate is null && _headerTemplates.Length == 0)
        {
            for (var start = 0; start < batch.Length; start += size)
            {
                chunks.Add(new Chunk(batch.Slice(start, Math.Min(size, batch.Length - start)), _url, null, null));
            }
        }
        else
        {
            Group(batch, size, chunks);
        }

        var errors = new Exception?[chunks.Count];
        if (chunks.Count == 1)
        {
            errors[0] = chunks[0].Error ?? await SendAsync(client, chunks[0], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, chunks.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Options.MaxConcurrency, CancellationToken = cancellationToken },
                async (i, ct) => errors[i] = chunks[i].Error ?? await SendAsync(client, chunks[i], ct).ConfigureAwait(false)).ConfigureAwait(false);
        }

        var failed = Array.FindIndex(errors, e => e is not null);
        if (failed < 0)
        {
            return;
        }

        if (batch.Length > 1)
        {
            lock (_deliveredOfFailedBatch)
            {
                for (var i = 0; i < chunks.Count; i++)
                {
                    if (errors[i] is null)
                    {
                        foreach (var record in chunks[i].Records.Span)
                        {
                            _deliveredOfFailedBatch.Add(record);
                        }
                    }
                }
            }
        }

        // A transient failure outranks a refusal: the batch is tried again whole rather than split.
        throw Array.Find(errors, e => e is DataWeaverException { ErrorClass: not ErrorClass.Data }) ?? errors[failed]!;
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref _client, null)?.Dispose();
        lock (_deliveredOfFailedBatch)
        {
            _deliveredOfFailedBatch.Clear();
        }

        return default;
    }

    /// <summary>
    /// Splits a batch by the URL and headers its records make (in the order first seen, each group in record order), then into
    /// requests of up to <paramref name="size"/> records; a record whose placeholders cannot be filled becomes a chunk of its own
    /// holding its data error.
    /// </summary>
    private void Group(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, int size, List<Chunk> chunks)
    {
        var groups = new Dictionary<string, (Uri Url, KeyValuePair<string, string>[] Headers, List<Record<ReadOnlyMemory<byte>>> Records)>(StringComparer.Ordinal);
        var order = new List<string>();
        var readsValue = _urlTemplate?.ReadsValue == true || _headerTemplates.Any(h => h.Template.ReadsValue);
        foreach (var record in batch.Span)
        {
            string? problem = null;
            Uri? url = _url;
            var headers = new KeyValuePair<string, string>[_headerTemplates.Length];
            JsonDocument? document = null;
            try
            {
                if (readsValue)
                {
                    try
                    {
                        document = JsonDocument.Parse(record.Value);
                    }
                    catch (JsonException)
                    {
                        problem = "the record is not JSON, so the placeholders cannot be filled";
                    }
                }

                var value = document?.RootElement;
                if (problem is null && _urlTemplate is not null)
                {
                    var text = _urlTemplate.Render(value, record.Key.Span, Uri.EscapeDataString, out problem);
                    url = text is null ? null : Uri.TryCreate(text, UriKind.Absolute, out var made) ? made : null;
                    problem ??= url is null ? "the URL it makes is not a valid URL" : null;
                }

                for (var i = 0; problem is null && i < _headerTemplates.Length; i++)
                {
                    var (name, template) = _headerTemplates[i];
                    var text = template.Render(value, record.Key.Span, static v => v, out problem);
                    if (text is not null && text.AsSpan().ContainsAnyExceptInRange(' ', '~'))
                    {
                        problem = $"header '{name}' would hold a line break, a control character or a character outside ASCII";
                    }

                    headers[i] = new(name, text ?? "");
                }
            }
            finally
            {
                document?.Dispose();
            }

            if (problem is not null)
            {
                chunks.Add(new Chunk(new[] { record }, _url, null, new DataWeaverException(ErrorClass.Data, Scrub($"{Name}: {problem}."))));
                continue;
            }

            var groupKey = url!.AbsoluteUri + "\n" + string.Join("\n", headers.Select(h => h.Value));
            if (!groups.TryGetValue(groupKey, out var group))
            {
                group = (url, headers, []);
                groups[groupKey] = group;
                order.Add(groupKey);
            }

            group.Records.Add(record);
        }

        foreach (var key in order)
        {
            var (url, headers, records) = groups[key];
            var all = records.ToArray();
            for (var start = 0; start < all.Length; start += size)
            {
                chunks.Add(new Chunk(all.AsMemory(start, Math.Min(size, all.Length - start)), url, headers.Length == 0 ? null : headers, null));
            }
        }
    }

    /// <summary>Sends one request with retries; returns <see langword="null"/> once the server took it, else the classified error.</summary>
    private async Task<Exception?> SendAsync(HttpClient client, Chunk chunk, CancellationToken cancellationToken)
    {
        var records = chunk.Records;
        var url = chunk.Url;
        var body = BuildBody(records.Span);
        var settings = new RetrySettings(Options.MaxAttempts, Options.InitialBackoff, Options.MaxBackoff, Options.TimeProvider);
        var trace = OutgoingTraceContext.Capture();
        try
        {
            var answer = await HttpRetryLoop.SendAsync(
                client,
                () =>
                {
                    var request = new HttpRequestMessage(_method, url) { Content = new ByteArrayContent(body) { Headers = { ContentType = Options.Body == HttpSinkBody.Ndjson ? Ndjson : Json } } };
                    foreach (var (name, value) in chunk.Headers ?? [])
                    {
                        request.Headers.TryAddWithoutValidation(name, value);
                    }

                    HttpTraceContext.Write(trace, request.Headers);

                    return request;
                },
                settings,
                Scrub($"{Name}: {_method} {url}"),
                attempt =>
                {
                    Interlocked.Increment(ref _requests);
                    if (attempt > 1)
                    {
                        Interlocked.Increment(ref _retries);
                    }
                },
                cancellationToken).ConfigureAwait(false);
            using var response = answer.Response;
            return (int)answer.Status is >= 200 and < 300
                ? null
                : new DataWeaverException(ErrorClass.Data, Scrub(string.Create(CultureInfo.InvariantCulture, $"{Name}: {_method} {url} refused {Describe(records.Length)} with {(int)answer.Status} {answer.Reason}: {Excerpt(answer.Body)}")));
        }
        catch (DataWeaverException error) when (error.ErrorClass == ErrorClass.Transient)
        {
            return new DataWeaverException(ErrorClass.Transient, Scrub(error.Message));
        }
    }

    private byte[] BuildBody(ReadOnlySpan<Record<ReadOnlyMemory<byte>>> records)
    {
        if (Options.Body == HttpSinkBody.PerRecord)
        {
            return records[0].Value.ToArray();
        }

        var buffer = new ArrayBufferWriter<byte>(records.Length * 64);
        var array = Options.Body == HttpSinkBody.JsonArray;
        if (array)
        {
            buffer.Write("["u8);
        }

        for (var i = 0; i < records.Length; i++)
        {
            if (array && i > 0)
            {
                buffer.Write(","u8);
            }

            buffer.Write(records[i].Value.Span);
            if (!array)
            {
                buffer.Write("\n"u8);
            }
        }

        if (array)
        {
            buffer.Write("]"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private string Excerpt(byte[] bytes)
    {
        var take = Math.Min(bytes.Length, Options.BodyExcerptBytes);
        var text = Encoding.UTF8.GetString(bytes, 0, take).Trim();
        return take < bytes.Length ? text + " ..." : text;
    }

    private static string Describe(int records) => records == 1 ? "the record" : string.Create(CultureInfo.InvariantCulture, $"{records} records");

    private string Scrub(string text) => HttpErrors.Scrub(text, Options.Secrets);

    /// <summary>The records of one request, where it goes and its own headers; or a record that cannot be sent, with its error.</summary>
    private readonly record struct Chunk(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> Records, Uri Url, KeyValuePair<string, string>[]? Headers, Exception? Error);
}
