using DataWeaver.Connectors.Memory;
using DataWeaver.Lifecycle;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Hosting.Tests.Support;

/// <summary>A real Generic Host (Host.CreateApplicationBuilder) with captured logs at every level and, optionally, a manual clock.</summary>
public static class TestHost
{
    public static IHost Build(Action<DataWeaverBuilder> configure, CapturingLoggerProvider? logs = null, TimeProvider? clock = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }

        builder.Services.AddDataWeaver(configure);
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    public static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    public static HostedPipelines Pipelines(this IHost host) => host.Services.GetRequiredService<HostedPipelines>();

    /// <summary>Waits until the runner reported the pipeline running with its run (the run itself may get ahead of that report).</summary>
    public static Task WaitForRunning(this IHost host, string name) =>
        WaitUntil(() => host.Pipelines().GetStatus(name) is { State: PipelineState.Running, Run: not null });

    /// <summary>Starts the host, waits until no pipeline runs any more, and stops the host.</summary>
    public static async Task RunToEndAsync(this IHost host)
    {
        await host.StartAsync();
        await host.Pipelines().WhenAllEnded();
        await host.StopAsync();
    }

    /// <summary>An endless source of 0, 1, 2, ... and a sink that keeps what it wrote.</summary>
    public static (NumberSource Source, CollectionSink<long> Sink) Endless() => (new NumberSource(), new CollectionSink<long>("out"));
}
