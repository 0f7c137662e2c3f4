using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Http.Tests.Support;

/// <summary>
/// A real Kestrel endpoint an <see cref="HttpSink"/> posts to: keeps every record it took (JSON array, NDJSON or one document),
/// and can misbehave on purpose: refuse records by id (400), fail requests (500, 429 with Retry-After, a dropped connection).
/// </summary>
internal sealed class RecordingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<byte[]> _records = [];
    private readonly List<long> _refused = [];
    private readonly List<(string, string?, long[])> _taken = [];
    private int _requests;

    private RecordingServer(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Gets or sets which ids the server refuses with 400 (the whole request).</summary>
    public Func<long, bool> Refuse { get; set; } = _ => false;

    /// <summary>Gets or sets what the server does with the n-th request (from 1) before reading it: null to take it, else a failure.</summary>
    public Func<int, Failure?> Fail { get; set; } = _ => null;

    /// <summary>Gets or sets what checks the Authorization header: null takes every request, else false answers 401.</summary>
    public Func<string?, bool>? Authorize { get; set; }

    /// <summary>Gets or sets the request header whose value <see cref="Taken"/> keeps beside the path.</summary>
    public string? KeepHeader { get; set; }

    /// <summary>Gets every request taken (answered 200): its path and query, the <see cref="KeepHeader"/> value, the ids of its records.</summary>
    public IReadOnlyList<(string Path, string? Header, long[] Ids)> Taken
    {
        get
        {
            lock (_records)
            {
                return [.. _taken];
            }
        }
    }

    /// <summary>Gets or sets a value indicating whether every request gets 503 (a server down).</summary>
    public bool Down { get; set; }

    /// <summary>Gets the headers of the last request taken.</summary>
    public IHeaderDictionary? LastHeaders { get; private set; }

    public int Requests => Volatile.Read(ref _requests);

    public IReadOnlyList<byte[]> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    public IReadOnlyList<long> Ids => [.. Records.Select(r => Json.Id(r))];

    /// <summary>Gets the ids of every request answered 400 (each time).</summary>
    public IReadOnlyList<long> RefusedIds
    {
        get
        {
            lock (_records)
            {
                return [.. _refused];
            }
        }
    }

    public static async Task<RecordingServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new RecordingServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First() + "/in");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var n = Interlocked.Increment(ref _requests);
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        if (Down)
        {
            http.Response.StatusCode = 503;
            return;
        }

        if (Authorize is { } authorize && !authorize(http.Request.Headers.Authorization.FirstOrDefault()))
        {
            http.Response.StatusCode = 401;
            return;
        }

        switch (Fail(n))
        {
            case Failure.ServerError:
                http.Response.StatusCode = 500;
                await http.Response.WriteAsync("injected failure");
                return;
            case Failure.TooManyRequests:
                http.Response.StatusCode = 429;
                http.Response.Headers.RetryAfter = "0";
                return;
            case Failure.DropConnection:
                http.Abort();
                return;
        }

        var records = Split(body.ToArray(), http.Request.ContentType ?? "");
        var refused = records.Select(r => Json.Id(r)).Where(Refuse).ToList();
        if (refused.Count > 0)
        {
            lock (_records)
            {
                _refused.AddRange(refused);
            }

            http.Response.StatusCode = (int)HttpStatusCode.BadRequest;
            await http.Response.WriteAsync($"{{\"error\":\"id {refused[0]} is not accepted\"}}");
            return;
        }

        lock (_records)
        {
            LastHeaders = http.Request.Headers;
            _records.AddRange(records);
            _taken.Add((http.Request.Path + http.Request.QueryString, KeepHeader is null ? null : http.Request.Headers[KeepHeader].FirstOrDefault(), [.. records.Select(r => Json.Id(r))]));
        }

        http.Response.StatusCode = 200;
    }

    private static List<byte[]> Split(byte[] body, string contentType)
    {
        if (contentType.Contains("ndjson", StringComparison.Ordinal))
        {
            return [.. System.Text.Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(System.Text.Encoding.UTF8.GetBytes)];
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.ValueKind == JsonValueKind.Array
            ? [.. document.RootElement.EnumerateArray().Select(e => System.Text.Encoding.UTF8.GetBytes(e.GetRawText()))]
            : [body];
    }

    public enum Failure
    {
        ServerError,
        TooManyRequests,
        DropConnection,
    }
}
