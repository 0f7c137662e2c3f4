using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Http.Tests.Support;

/// <summary>A real Kestrel REST endpoint serving records <c>{"id":N}</c> in pages, by cursor, page number or Link header; records can be added while it runs.</summary>
internal sealed class PagesServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(string? Run, string Query)> _requests = [];
    private int _count;

    private PagesServer(WebApplication app, int count, int pageSize)
    {
        _app = app;
        _count = count;
        PageSize = pageSize;
    }

    /// <summary>The request header naming the run (of the test) a request comes from.</summary>
    public const string RunHeader = "X-Run";

    public int PageSize { get; }

    public Uri Url { get; private set; } = null!;

    /// <summary>Gets the query strings of every request, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests.Select(r => r.Query)];
            }
        }
    }

    /// <summary>Gets the query strings of the requests whose <see cref="RunHeader"/> was <paramref name="run"/>, in order (a stopped run's request may still arrive late).</summary>
    public IReadOnlyList<string> RequestsOf(string run)
    {
        lock (_requests)
        {
            return [.. _requests.Where(r => r.Run == run).Select(r => r.Query)];
        }
    }

    /// <summary>Gets or sets the bearer token every request must carry, or null for none.</summary>
    public string? Token { get; set; }

    /// <summary>Gets or sets how long each page is held back before it is answered (pacing a reader); default none.</summary>
    public TimeSpan Delay { get; set; }

    public static async Task<PagesServer> StartAsync(int count, int pageSize)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new PagesServer(app, count, pageSize);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First() + "/items");
        return server;
    }

    public void Add(int more) => Interlocked.Add(ref _count, more);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var query = http.Request.Query;
        lock (_requests)
        {
            _requests.Add((http.Request.Headers[RunHeader].FirstOrDefault(), http.Request.QueryString.Value ?? ""));
        }

        if (Token is not null && http.Request.Headers.Authorization != "Bearer " + Token)
        {
            http.Response.StatusCode = 401;
            return;
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }

        var count = Volatile.Read(ref _count);
        int start;
        if (query.TryGetValue("page", out var page))
        {
            start = (int.Parse(page!, CultureInfo.InvariantCulture) - 1) * PageSize;
        }
        else
        {
            start = query.TryGetValue("cursor", out var cursor) ? int.Parse(cursor!, CultureInfo.InvariantCulture) : 0;
        }

        var end = Math.Min(count, start + PageSize);
        var items = string.Join(",", Enumerable.Range(start, Math.Max(0, end - start)).Select(i => $$"""{"id":{{i}}}"""));
        var next = end < count ? $"\"{end}\"" : "null";
        if (end < count && !query.ContainsKey("page"))
        {
            http.Response.Headers.Link = $"<{Url}?cursor={end}>; rel=\"next\"";
        }

        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync("{\"data\":[" + items + "],\"meta\":{\"next\":" + next + "}}");
    }
}
