using DataWeaver.Operations.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Operations;

/// <summary>
/// The operations endpoint in a small Kestrel server of its own, for processes that are not ASP.NET Core apps (the
/// <c>dataweaver run --http</c> command): the same routes as
/// <see cref="OperationsEndpointRouteBuilderExtensions.MapDataWeaverOperations"/>. It logs nothing and leaves Ctrl+C and
/// SIGTERM to the process.
/// </summary>
public sealed class OperationsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OperationsServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Gets the address the server listens on (with the port chosen when port 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>Gets the server's services (its endpoints, for tests).</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>Starts a server on <paramref name="listen"/> over <paramref name="pipelines"/>.</summary>
    /// <param name="listen">Where to listen: <c>HOST:PORT</c> (<c>127.0.0.1:9464</c>; port 0 picks a free one) or an <c>http://</c> URL.</param>
    /// <param name="pipelines">The pipelines the endpoint reports and drives.</param>
    /// <param name="options">The bearer token and what it protects; <see langword="null"/> uses the defaults (no token).</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    /// <exception cref="ArgumentException"><paramref name="listen"/> is not an address.</exception>
    /// <exception cref="IOException">The address is in use or cannot be bound.</exception>
    public static async Task<OperationsServer> StartAsync(string listen, OperatedPipelines pipelines, OperationsOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        var url = ListenAddress.Parse(listen);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(OperationsServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, ProcessOwnedLifetime>(); // no Ctrl+C handler of its own
        builder.WebHost.UseUrls(url);
        builder.Services.AddDataWeaverOperations(pipelines, options);
        var app = builder.Build();
        app.MapDataWeaverOperations();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new OperationsServer(app, new Uri(app.Urls.First()));
    }

    /// <summary>Stops the server (requests in progress finish) and releases it.</summary>
    /// <returns>A task that completes when the server stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
