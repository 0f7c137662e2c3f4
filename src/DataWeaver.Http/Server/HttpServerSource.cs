using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using DataWeaver.Connectors;
using DataWeaver.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Http;

/// <summary>
/// An HTTP server (Kestrel) whose POSTed records enter the pipeline: a body holds one JSON document, a JSON array of records
/// (<c>application/json</c>) or one record per line (<c>application/x-ndjson</c>). By default a request is answered 200 only
/// once every one of its records was committed (written by every sink), so a 200 means delivered at least once.
/// </summary>
/// <remarks>
/// <para>
/// Backpressure: at most <see cref="HttpServerSourceOptions.MaxInFlightRecords"/> records are accepted and not yet committed;
/// a request that would go past the bound is refused at once with 429 (or 503) and <c>Retry-After</c>, so memory stays bounded
/// whatever the clients send. A request is accepted or refused whole.
/// </para>
/// <para>
/// Errors: a body larger than <see cref="HttpServerSourceOptions.MaxBodyBytes"/> gets 413, a content type other than JSON or
/// NDJSON 415, a missing or wrong token or API key 401, a malformed body 400 naming the line and byte (or, with
/// <see cref="HttpMalformedAction.DeadLetter"/>, the malformed part goes to the pipeline's error policy with its original
/// bytes). When the pipeline stops, requests not handed to it yet are answered 503 (send them again); those it holds are
/// answered once committed. A crash answers nothing: the clients' retries deliver again what was not answered 200.
/// </para>
/// <para>
/// Positions: partition 0, offset the record's number in this run (from 0). A request's records enter the pipeline together
/// when they fit in one batch.
/// </para>
/// </remarks>
public sealed partial class HttpServerSource : SourceConnector<Record<ReadOnlyMemory<byte>>>
{
    private readonly Channel<AcceptedRequest> _queue = Channel.CreateUnbounded<AcceptedRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<AcceptedRequest> _handedOver = new();
    private readonly Lock _handedLock = new();
    private WebApplication? _app;
    private long _inFlight;
    private long _peakInFlight;
    private long _accepted;
    private long _refused;
    private long _next;
    private volatile bool _closed = true;

    /// <summary>Creates the source.</summary>
    /// <param name="options">Where it listens and what it accepts.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>http-server</c>.</param>
    /// <exception cref="Errors.PipelineConfigurationException">The options are invalid (every problem listed).</exception>
    public HttpServerSource(HttpServerSourceOptions options, string? name = null)
        : base(name ?? "http-server")
    {
        ArgumentNullException.ThrowIfNull(options);
        HttpErrors.ThrowIfInvalid(options.Validate());
        Options = options;
    }

    /// <summary>Gets the options.</summary>
    public HttpServerSourceOptions Options { get; }

    /// <summary>Gets the address the server listens on once open (with the port chosen when port 0 was asked for).</summary>
    public Uri? Address { get; private set; }

    /// <summary>Gets how many records are accepted and not yet committed.</summary>
    public long InFlightRecords => Interlocked.Read(ref _inFlight);

    /// <summary>Gets the most records ever accepted and not yet committed at once (never above the bound).</summary>
    public long PeakInFlightRecords => Interlocked.Read(ref _peakInFlight);

    /// <summary>Gets how many requests were accepted.</summary>
    public long AcceptedRequests => Interlocked.Read(ref _accepted);

    /// <summary>Gets how many requests were refused because the in-flight bound was reached or the pipeline was stopping.</summary>
    public long RefusedRequests => Interlocked.Read(ref _refused);

    /// <inheritdoc />
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(HttpServerSource).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoLifetime>();
        builder.WebHost.UseUrls(Options.Listen);
        if (Options.CertificatePath is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves HTTPS out
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = DrainLimit; // our own check answers 413 at MaxBodyBytes; Kestrel cuts a connection past the drain
            if (Options.CertificatePath is { } path)
            {
                var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, Options.CertificatePassword);
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }
        });
        var app = builder.Build();
        app.MapPost(Options.Path, HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw HttpErrors.ListenFailed(Options.Listen, error, Options.Secrets);
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        Address = new Uri((addresses?.Addresses.FirstOrDefault() ?? Options.Listen).TrimEnd('/') + Options.Path);
        _app = app;
        _closed = false;
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<Record<ReadOnlyMemory<byte>>> ReadAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("HttpServerSource reads through its SourceReader (CreateReader).");

    /// <inheritdoc />
    public override SourceReader<Record<ReadOnlyMemory<byte>>> CreateReader() => new Reader(this);

    /// <inheritdoc />
    protected override void OnAcknowledged(SourcePosition position) => CompleteUpTo(position.Offset);

    /// <inheritdoc />
    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        foreach (var position in positions)
        {
            CompleteUpTo(position.Offset);
        }

        return default;
    }

    /// <inheritdoc />
    /// <remarks>Answers 503 to every request not committed, then stops the server once the answers went out.</remarks>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        _closed = true;
        FailPending();
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            try
            {
                await app.StopAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Answers 503 to every request accepted and not committed (queued, or handed to a pipeline that ended).</summary>
    private void FailPending()
    {
        lock (_admission)
        {
            while (_queue.Reader.TryRead(out var queued))
            {
                Finish(queued, committed: false);
            }
        }

        lock (_handedLock)
        {
            while (_handedOver.TryDequeue(out var handed))
            {
                Finish(handed, committed: false);
            }
        }
    }

    /// <summary>Answers 200 to every request whose last record is before <paramref name="resumeOffset"/>: taken off under the lock, answered outside it.</summary>
    private void CompleteUpTo(long resumeOffset)
    {
        AcceptedRequest? single = null;
        List<AcceptedRequest>? more = null;
        lock (_handedLock)
        {
            while (_handedOver.TryPeek(out var request) && request.ResumeOffset <= resumeOffset)
            {
                _handedOver.Dequeue();
                if (single is null)
                {
                    single = request;
                }
                else
                {
                    (more ??= []).Add(request);
                }
            }
        }

        if (single is not null)
        {
            Finish(single, committed: true);
        }

        if (more is not null)
        {
            foreach (var request in more)
            {
                Finish(request, committed: true);
            }
        }
    }

    private void Finish(AcceptedRequest request, bool committed)
    {
        if (request.Outcome.TrySetResult(committed))
        {
            Interlocked.Add(ref _inFlight, -request.Items.Count);
        }
    }

    /// <summary>A host lifetime that leaves Ctrl+C and SIGTERM to the process.</summary>
    private sealed class NoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
