using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Http.Internal;
using DataWeaver.Records;
using Microsoft.AspNetCore.WebUtilities;

namespace DataWeaver.Http;

/// <summary>
/// Reads a REST endpoint page by page with GET and polls it again every <see cref="HttpPollingSourceOptions.Interval"/> once the
/// last page was read. Pages follow a cursor, a page number or the <c>Link</c> header; the records are the elements of the
/// page's array (<see cref="HttpPollingSourceOptions.RecordsPath"/>).
/// </summary>
/// <remarks>
/// <para>
/// Checkpoints: when the pipeline commits, the source saves in <see cref="HttpPollingSourceOptions.CheckpointStore"/> the request
/// of the page holding the last committed record and how many of that page's records are committed (or, after a page's last
/// record, the next page's request). A restart asks for that page again and skips what was committed: it neither skips nor
/// reads again a committed record, provided the endpoint serves the same page for the same request.
/// </para>
/// <para>
/// Errors: connection errors, timeouts, 5xx, 408 and 429 are retried (a <c>Retry-After</c> honoured); another status or a page
/// that is not the JSON expected fails the run (the run can be restarted from the checkpoint once the endpoint is fixed).
/// </para>
/// </remarks>
public sealed partial class HttpPollingSource : SourceConnector<Record<ReadOnlyMemory<byte>>>, ICheckpointedSource
{
    private readonly List<PageMark> _marks = [];
    private HttpClient? _client;
    private PollState _state;
    private long _ordinal;

    /// <summary>Creates the source.</summary>
    /// <param name="options">The endpoint, its paging and the checkpoint store.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>http-poll:{host}</c>.</param>
    /// <exception cref="PipelineConfigurationException">The options are invalid (every problem listed).</exception>
    public HttpPollingSource(HttpPollingSourceOptions options, string? name = null)
        : base(name ?? HttpErrors.NameOf("http-poll:", options?.Url))
    {
        ArgumentNullException.ThrowIfNull(options);
        HttpErrors.ThrowIfInvalid(options.Validate());
        Options = options;
        var url = new Uri(options.Url);
        CheckpointKey = options.CheckpointKey ?? "http-poll:" + url.Authority + url.AbsolutePath;
        _state = First();
    }

    /// <summary>Gets the options.</summary>
    public HttpPollingSourceOptions Options { get; }

    /// <inheritdoc />
    public ICheckpointStore? CheckpointStore => Options.CheckpointStore;

    /// <inheritdoc />
    public string CheckpointKey { get; }

    /// <summary>Gets how many pages were requested (retries not counted).</summary>
    public long Pages { get; private set; }

    /// <inheritdoc />
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _client = HttpClients.Create(2, Options.RequestTimeout, Options.Authentication, Options.Headers, Options.TimeProvider);
        _state = First();
        lock (_marks)
        {
            _marks.Clear(); // a reopened source resumes from the checkpoint: the pages of the earlier open are no longer in flight
        }
        if (Options.CheckpointStore is { } store && await store.LoadAsync(CheckpointKey, cancellationToken).ConfigureAwait(false) is { Count: > 0 } saved)
        {
            _state = PollState.Decode(saved) ?? throw new DataWeaverException(ErrorClass.Fatal, $"{Name}: the checkpoint under '{CheckpointKey}' is not a polling cursor.");
        }
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<Record<ReadOnlyMemory<byte>>> ReadAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("HttpPollingSource reads through its SourceReader (CreateReader).");

    /// <inheritdoc />
    public override SourceReader<Record<ReadOnlyMemory<byte>>> CreateReader() => new Reader(this);

    /// <inheritdoc />
    /// <remarks>Saves the request of the page holding the last committed record and how many of its records are committed.</remarks>
    public override async ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count == 0 || Options.CheckpointStore is not { } store)
        {
            return;
        }

        PollState? state = null;
        lock (_marks)
        {
            var last = positions.Max(p => p.Offset) - 1;
            var index = _marks.FindLastIndex(m => m.FirstOrdinal <= last);
            if (index >= 0)
            {
                var mark = _marks[index];
                var within = last - mark.FirstOrdinal;
                state = within >= mark.Count - 1 ? mark.Next : mark.Request with { Skip = mark.Request.Skip + within + 1 };
                _marks.RemoveRange(0, index);
            }
        }

        if (state is { } committed)
        {
            await store.SaveAsync(CheckpointKey, committed.Encode(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref _client, null)?.Dispose();
        return default;
    }

    private PollState First() => Options.Pagination == HttpPagination.PageNumber
        ? new PollState(QueryHelpers.AddQueryString(Options.Url, Options.PageParameter, Options.FirstPage.ToString(CultureInfo.InvariantCulture)), Options.FirstPage, 0)
        : new PollState(Options.Url, 0, 0);

    /// <summary>Requests the current page; returns its new records (after the skip) and the state to read next.</summary>
    private async Task<(List<byte[]> Records, PollState Next, bool End)> FetchAsync(CancellationToken cancellationToken)
    {
        var client = _client ?? throw new InvalidOperationException($"{Name} is not open.");
        var state = _state;
        var describe = HttpErrors.Scrub($"{Name}: GET {state.Url}", Options.Secrets);
        var answer = await HttpRetryLoop.SendAsync(
            client,
            () => new HttpRequestMessage(HttpMethod.Get, state.Url),
            new RetrySettings(Options.MaxAttempts, Options.InitialBackoff, Options.MaxBackoff, Options.TimeProvider),
            describe,
            null,
            cancellationToken).ConfigureAwait(false);
        using var response = answer.Response;
        Pages++;
        if ((int)answer.Status is < 200 or >= 300)
        {
            throw new DataWeaverException(ErrorClass.Fatal, HttpErrors.Scrub(string.Create(CultureInfo.InvariantCulture, $"{describe} answered {(int)answer.Status} {answer.Reason}: {Excerpt(answer.Body)}"), Options.Secrets));
        }

        List<byte[]> all;
        string? cursor = null;
        try
        {
            using var page = JsonDocument.Parse(answer.Body);
            var records = Navigate(page.RootElement, Options.RecordsPath);
            if (records is not { ValueKind: JsonValueKind.Array } array)
            {
                throw new JsonException($"no array at '{Options.RecordsPath ?? "(the page)"}'");
            }

            all = [.. array.EnumerateArray().Select(e => Encoding.UTF8.GetBytes(e.GetRawText()))];
            if (Options.Pagination == HttpPagination.Cursor && Navigate(page.RootElement, Options.CursorPath) is { } next)
            {
                cursor = next.ValueKind switch
                {
                    JsonValueKind.String => next.GetString(),
                    JsonValueKind.Number => next.GetRawText(),
                    _ => null,
                };
            }
        }
        catch (JsonException error)
        {
            throw new DataWeaverException(ErrorClass.Fatal, HttpErrors.Scrub($"{describe} returned a page that is not the JSON expected: {error.Message}", Options.Secrets), error);
        }

        var stay = state with { Skip = all.Count };
        var (nextState, end) = Options.Pagination switch
        {
            HttpPagination.Cursor when !string.IsNullOrEmpty(cursor) => (new PollState(QueryHelpers.AddQueryString(Options.Url, Options.CursorParameter, cursor), 0, 0), false),
            HttpPagination.PageNumber when all.Count >= Options.PageSize =>
                (new PollState(QueryHelpers.AddQueryString(Options.Url, Options.PageParameter, (state.Page + 1).ToString(CultureInfo.InvariantCulture)), state.Page + 1, 0), false),
            HttpPagination.LinkHeader when NextLink(response, state.Url) is { } link => (new PollState(link, 0, 0), false),
            _ => (stay, true),
        };
        if (nextState.Url == state.Url && !end)
        {
            (nextState, end) = (stay, true); // a cursor that does not move: the end for now
        }

        var skip = (int)Math.Min(state.Skip, all.Count);
        return (all.GetRange(skip, all.Count - skip), nextState, end);
    }

    private static JsonElement? Navigate(JsonElement root, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return root;
        }

        var current = root;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current;
    }

    private static string? NextLink(HttpResponseMessage response, string requestUrl)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            foreach (Match match in LinkPattern().Matches(value))
            {
                return new Uri(new Uri(requestUrl), match.Groups[1].Value).ToString();
            }
        }

        return null;
    }

    private static string Excerpt(byte[] body) => Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 512)).Trim();

    [GeneratedRegex("""<([^>]*)>\s*;\s*rel="?next"?""", RegexOptions.IgnoreCase)]
    private static partial Regex LinkPattern();

    /// <summary>The ordinals of one page's records: the request that fetched it and the state after its last record.</summary>
    private readonly record struct PageMark(long FirstOrdinal, int Count, PollState Request, PollState Next);

    private sealed class Reader(HttpPollingSource source) : SourceReader<Record<ReadOnlyMemory<byte>>>
    {
        private List<byte[]>? _records;
        private int _next;
        private bool _wait;

        public override async ValueTask<bool> FillAsync(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(buffer);
            while (true)
            {
                if (_records is { } records && _next < records.Count)
                {
                    var time = source.Options.TimeProvider.GetUtcNow();
                    while (_next < records.Count && buffer.Remaining > 0)
                    {
                        var ordinal = source._ordinal++;
                        var bytes = records[_next++];
                        buffer.Add(new Record<ReadOnlyMemory<byte>>(ReadOnlyMemory<byte>.Empty, bytes, null, time, new SourcePosition(0, ordinal)), new SourcePosition(0, ordinal + 1), bytes.Length);
                    }

                    return true;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    return false;
                }

                if (_wait)
                {
                    await Task.Delay(source.Options.Interval, source.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
                    _wait = false;
                }

                var request = source._state;
                var (page, next, end) = await source.FetchAsync(cancellationToken).ConfigureAwait(false);
                if (page.Count > 0)
                {
                    lock (source._marks)
                    {
                        source._marks.Add(new PageMark(source._ordinal, page.Count, request, next));
                    }
                }

                source._state = next;
                _records = page;
                _next = 0;
                _wait = end;
            }
        }
    }
}
