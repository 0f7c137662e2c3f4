using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Http.Tests.Enrichment;

/// <summary>
/// A real Kestrel item service: <c>GET /items/{id}</c> answers <c>{"id":id,"name":"item-id"}</c> after <see cref="Delay"/>
/// (a POST answers <c>{"echo":body}</c>);
/// item 13 always answers 500, item 404 answers 404, and the first request for item 21 is held until the client gives up
/// (its timeout). Every request must carry the bearer token. Counts requests per item and the most in flight at once.
/// </summary>
internal sealed class ItemsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<int, int> _requests = new();
    private int _inFlight;
    private int _maxInFlight;
    private int _unauthorized;

    private ItemsServer(WebApplication app, string token)
    {
        _app = app;
        Token = token;
    }

    public string Token { get; }

    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(5);

    public Uri Url { get; private set; } = null!;

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int Unauthorized => Volatile.Read(ref _unauthorized);

    public int RequestsFor(int id) => _requests.GetValueOrDefault(id);

    public static async Task<ItemsServer> StartAsync(string token)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new ItemsServer(app, token);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var now = Interlocked.Increment(ref _inFlight);
        var left = false;
        try
        {
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }

            if (http.Request.Headers.Authorization != "Bearer " + Token)
            {
                Interlocked.Increment(ref _unauthorized);
                http.Response.StatusCode = 401;
                return;
            }

            var id = int.Parse(http.Request.Path.Value!["/items/".Length..], CultureInfo.InvariantCulture);
            var count = _requests.AddOrUpdate(id, 1, (_, n) => n + 1);
            if (id == 21 && count == 1)
            {
                // Held past the client's timeout: the client gives up on it, so it no longer counts as in flight.
                Leave();
                try
                {
                    await Task.Delay(TimeSpan.FromMinutes(1), http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up (its timeout), as meant.
                }

                return;
            }

            await Task.Delay(Delay, CancellationToken.None);

            // Counted until the answer is about to be written: within the client's call, however late this handler ends.
            Leave();
            switch (id)
            {
                case 13:
                    http.Response.StatusCode = 500;
                    return;
                case 404:
                    http.Response.StatusCode = 404;
                    return;
            }

            http.Response.ContentType = "application/json";
            if (HttpMethods.IsPost(http.Request.Method))
            {
                using var body = new StreamReader(http.Request.Body);
                await http.Response.WriteAsync($$"""{"echo":{{await body.ReadToEndAsync()}}}""");
                return;
            }

            await http.Response.WriteAsync($$"""{"id":{{id}},"name":"item-{{id}}"}""");
        }
        finally
        {
            Leave();
        }

        void Leave()
        {
            if (!left)
            {
                left = true;
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }
}
