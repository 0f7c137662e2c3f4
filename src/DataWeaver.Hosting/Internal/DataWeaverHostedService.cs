using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DataWeaver.Hosting.Internal;

/// <summary>
/// The one hosted service that runs every hosted pipeline concurrently, so they start together and drain together
/// (the host stops hosted services one after another). When the host stops, the stopping token drains each run; when
/// the host's shutdown timeout passes first, the runs are aborted, and the host waits for the abort, which commits
/// what was acknowledged.
/// </summary>
internal sealed class DataWeaverHostedService(HostedPipelines pipelines, IOptions<DataWeaverHostOptions> options, IHostApplicationLifetime? lifetime = null)
    : BackgroundService
{
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(static state => AbortAll((HostedPipelines)state!), pipelines))
        {
            await base.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value; // validated on start; read once
        try
        {
            await Task.WhenAll(pipelines.Runners.Select(runner => Task.Run(() => runner.RunAsync(settings, lifetime, stoppingToken), CancellationToken.None))).ConfigureAwait(false);
        }
        finally
        {
            // What the factories own (a definition file's stream frameworks) goes once no pipeline uses it any more.
            foreach (var owner in pipelines.Owners)
            {
                await owner.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static void AbortAll(HostedPipelines pipelines)
    {
        foreach (var runner in pipelines.Runners)
        {
            runner.Abort();
        }
    }
}
