using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataWeaver.Http.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace DataWeaver.Http;

/// <summary>The request handling of <see cref="HttpServerSource"/>: authentication, limits, parsing, admission and the answer.</summary>
public sealed partial class HttpServerSource
{
    /// <summary>How long the rest of a body too large is read before the 413 goes out anyway.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _admission = new();
    private bool _stopping;

    /// <summary>
    /// Gets the most body bytes a request may send before its connection is cut: the limit, plus as much again (at least
    /// 1 MiB) read and dropped so that the client of a body too large reads its 413.
    /// </summary>
    private long DrainLimit => Options.MaxBodyBytes + Math.Max(Options.MaxBodyBytes, 1L << 20);

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var response = http.Response;
        if (!Authorized(request))
        {
            response.Headers.WWWAuthenticate = "Bearer";
            await AnswerAsync(response, StatusCodes.Status401Unauthorized, "Authentication required: a valid bearer token or API key.").ConfigureAwait(false);
            return;
        }

        if (!TryGetFormat(request.ContentType, out var format))
        {
            await AnswerAsync(response, StatusCodes.Status415UnsupportedMediaType, "Send application/json (one document or an array of records) or application/x-ndjson (one record per line), in UTF-8.").ConfigureAwait(false);
            return;
        }

        if (request.ContentLength > Options.MaxBodyBytes)
        {
            await RefuseTooLargeAsync(http).ConfigureAwait(false);
            return;
        }

        if (_closed || Volatile.Read(ref _stopping))
        {
            await RefuseAsync(response, StatusCodes.Status503ServiceUnavailable, "The pipeline is not reading; send the request again later.").ConfigureAwait(false);
            return;
        }

        var body = await ReadBodyAsync(request, http.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await RefuseTooLargeAsync(http).ConfigureAwait(false);
            return;
        }

        var items = JsonBodySplitter.Split(body, format);
        var malformed = 0;
        foreach (var item in items)
        {
            malformed += item.Error is null ? 0 : 1;
        }

        if (malformed > 0 && Options.Malformed == HttpMalformedAction.Refuse)
        {
            await AnswerAsync(response, StatusCodes.Status400BadRequest, items.First(i => i.Error is not null).Error!).ConfigureAwait(false);
            return;
        }

        if (items.Count == 0)
        {
            await AnswerCountsAsync(response, StatusCodes.Status200OK, 0, 0).ConfigureAwait(false);
            return;
        }

        if (items.Count > Options.MaxInFlightRecords)
        {
            await AnswerAsync(response, StatusCodes.Status413PayloadTooLarge, string.Create(CultureInfo.InvariantCulture, $"The request holds {items.Count} records; at most {Options.MaxInFlightRecords} are accepted at once. Send fewer per request.")).ConfigureAwait(false);
            return;
        }

        var accepted = new AcceptedRequest(body, items, Options.TimeProvider.GetUtcNow()) { TraceHeaders = HttpTraceContext.Read(request.Headers) };
        if (!TryAdmit(accepted))
        {
            Interlocked.Increment(ref _refused);
            await RefuseAsync(response, Options.OverloadStatusCode, "Too many records in flight; send the request again after Retry-After.").ConfigureAwait(false);
            return;
        }

        Interlocked.Increment(ref _accepted);
        if (Options.Respond == HttpResponseMode.Accepted)
        {
            await AnswerCountsAsync(response, StatusCodes.Status202Accepted, items.Count - malformed, malformed).ConfigureAwait(false);
            return;
        }

        bool committed;
        try
        {
            committed = await accepted.Outcome.Task.WaitAsync(http.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away; its records still go through the pipeline
        }

        if (committed)
        {
            await AnswerCountsAsync(response, StatusCodes.Status200OK, items.Count - malformed, malformed).ConfigureAwait(false);
        }
        else
        {
            await RefuseAsync(response, StatusCodes.Status503ServiceUnavailable, "The pipeline stopped before the records were committed; send the request again.").ConfigureAwait(false);
        }
    }

    /// <summary>Takes the request into the in-flight bound and the queue, or refuses it (bound reached, or stopping).</summary>
    private bool TryAdmit(AcceptedRequest request)
    {
        var count = request.Items.Count;
        var after = Interlocked.Add(ref _inFlight, count);
        if (after > Options.MaxInFlightRecords)
        {
            Interlocked.Add(ref _inFlight, -count);
            return false;
        }

        for (var peak = Interlocked.Read(ref _peakInFlight); after > peak; peak = Interlocked.Read(ref _peakInFlight))
        {
            if (Interlocked.CompareExchange(ref _peakInFlight, after, peak) == peak)
            {
                break;
            }
        }

        lock (_admission)
        {
            if (!_stopping && !_closed && _queue.Writer.TryWrite(request))
            {
                return true;
            }
        }

        Interlocked.Add(ref _inFlight, -count);
        return false;
    }

    /// <summary>The last fill of a stopping pipeline is done: refuse what comes from now on and answer 503 to what is queued.</summary>
    private void StopAccepting()
    {
        lock (_admission)
        {
            _stopping = true;
            while (_queue.Reader.TryRead(out var queued))
            {
                Finish(queued, committed: false);
            }
        }
    }

    private bool Authorized(HttpRequest request)
    {
        if (Options.Authentication is not { } auth || auth.BearerToken is null && auth.ApiKey is null)
        {
            return true;
        }

        if (auth.BearerToken is { } token && request.Headers.Authorization is [{ } header]
            && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && FixedTimeEquals(header.AsSpan(7).Trim(), token))
        {
            return true;
        }

        return auth.ApiKey is { } key && request.Headers.TryGetValue(auth.ApiKeyHeader, out var values) && values is [{ } given] && FixedTimeEquals(given.AsSpan().Trim(), key);
    }

    private static bool FixedTimeEquals(ReadOnlySpan<char> given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given.ToArray()), Encoding.UTF8.GetBytes(expected));

    private static bool TryGetFormat(string? contentType, out BodyFormat format)
    {
        format = BodyFormat.Json;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var type = media.MediaType.Value ?? "";
        if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        format = BodyFormat.Ndjson;
        return type.ToUpperInvariant() is "APPLICATION/X-NDJSON" or "APPLICATION/NDJSON" or "APPLICATION/JSONL" or "APPLICATION/X-JSONLINES" or "APPLICATION/JSONLINES";
    }

    /// <summary>Reads the whole body, or returns <see langword="null"/> once it is larger than the limit.</summary>
    private async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > Options.MaxBodyBytes)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return body;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Answers 413 so that the client can read it: the rest of the body is read and dropped first (up to
    /// <see cref="DrainLimit"/> bytes, within <see cref="DrainTimeout"/>), then the answer goes out with <c>Connection: close</c>.
    /// Closing a connection whose unread body is still arriving makes TCP reset it, and a client then sees the connection end
    /// instead of the 413. A client that waits for <c>100 Continue</c> sent no body: it is answered at once.
    /// </summary>
    private async Task RefuseTooLargeAsync(HttpContext http)
    {
        var request = http.Request;
        var expectsContinue = request.Headers.Expect.Any(e => e is not null && e.Contains("100-continue", StringComparison.OrdinalIgnoreCase));
        if (!expectsContinue)
        {
            await DrainAsync(request, http.RequestAborted).ConfigureAwait(false); // when it does not end in time, the client may see the connection end first
        }

        http.Response.Headers.Connection = "close";
        await AnswerAsync(http.Response, StatusCodes.Status413PayloadTooLarge, string.Create(CultureInfo.InvariantCulture, $"The body is larger than {Options.MaxBodyBytes} bytes.")).ConfigureAwait(false);
    }

    /// <summary>Reads and drops the rest of a body, up to the drain limit and time.</summary>
    private async Task DrainAsync(HttpRequest request, CancellationToken aborted)
    {
        using var timer = new CancellationTokenSource(DrainTimeout, Options.TimeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted, timer.Token);
        var reader = request.BodyReader;
        long read = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(timeout.Token).ConfigureAwait(false);
                read += result.Buffer.Length;
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || read > DrainLimit)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // too slow, or the client went away
        }
        catch (BadHttpRequestException)
        {
            // past Kestrel's own limit (the drain limit) or a broken body
        }
        catch (IOException)
        {
            // the connection ended
        }
    }

    private Task RefuseAsync(HttpResponse response, int status, string message)
    {
        response.Headers.RetryAfter = ((long)Math.Max(1, Math.Ceiling(Options.RetryAfter.TotalSeconds))).ToString(CultureInfo.InvariantCulture);
        return AnswerAsync(response, status, message);
    }

    private static Task AnswerAsync(HttpResponse response, int status, string error) =>
        WriteJsonAsync(response, status, writer => writer.WriteString("error", error));

    /// <summary>Answers <c>{"records":N,"deadLettered":M}</c>, formatted straight into bytes (the answer of every request).</summary>
    private static Task AnswerCountsAsync(HttpResponse response, int status, int records, int deadLettered)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        var buffer = new byte[64];
        var written = 0;
        Append(buffer, ref written, "{\"records\":"u8);
        Utf8Formatter.TryFormat(records, buffer.AsSpan(written), out var length);
        written += length;
        Append(buffer, ref written, ",\"deadLettered\":"u8);
        Utf8Formatter.TryFormat(deadLettered, buffer.AsSpan(written), out length);
        written += length;
        Append(buffer, ref written, "}\n"u8);
        return response.Body.WriteAsync(buffer, 0, written);
    }

    private static void Append(byte[] buffer, ref int written, ReadOnlySpan<byte> text)
    {
        text.CopyTo(buffer.AsSpan(written));
        written += text.Length;
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, Action<Utf8JsonWriter> write)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        await response.Body.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
    }
}
