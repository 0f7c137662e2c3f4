using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DataWeaver.Connectors;
using DataWeaver.Diagnostics;
using DataWeaver.Errors;
using DataWeaver.Hosting.Internal;
using DataWeaver.Hosting.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Hosting.Tests;

public sealed class SecretCanaryTests
{
    private const string Canary = "canary-7f3e9b1d-secret";

    [Fact]
    public async Task Run_ConnectorSettingHoldsASecret_SecretAppearsInNoLogLineExceptionMetricOrHealthData()
    {
        var logs = new CapturingLoggerProvider();
        var tagValues = new ConcurrentBag<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == DataWeaverMeter.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => Collect(tags, tagValues));
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => Collect(tags, tagValues));
        listener.SetMeasurementEventCallback<int>((_, _, tags, _) => Collect(tags, tagValues));
        listener.Start();
        var deadLetters = new Connectors.Memory.CollectionSink<DeadLetter>("dead-letters");
        using var host = TestHost.Build(
            b => b.AddPipeline("warehouse-load", _ => Pipeline.From(new NumberSource(count: 5_000), new PipelineOptions { Name = "warehouse-load", BatchSize = 100, CommitInterval = TimeSpan.Zero })
                    .Map(x => x % 97 == 5 ? throw new DataWeaverException(ErrorClass.Data, "record rejected") : x, name: "validate")
                    .OnError(e => e.DeadLetterTo(deadLetters))
                    .To(new WarehouseSink($"Host=db;Password={Canary}"))
                    .OnError(e => e.Retry(2, TimeSpan.Zero))
                    .Build())
                .Configure(o => o.MaxRestarts = 1),
            logs,
            services: s => s.AddHealthChecks().AddDataWeaverHealthChecks());

        await host.StartAsync();
        await host.Pipelines().WhenAllEnded();
        listener.RecordObservableInstruments();
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        await host.StopAsync();

        // The run did what a secret could leak through: debug commit logs, retries, dead letters, a failure, a restart.
        var entries = logs.Entries;
        var ours = logs.Of(HostingLog.Category).ToList();
        Assert.Contains(ours, e => e.EventId.Id == 8 && e.Level == LogLevel.Debug);
        Assert.Contains(ours, e => e.EventId.Id == 6 && e.Exception is not null);
        Assert.Contains(ours, e => e.EventId.Id == 7);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("warehouse-load", tagValues);

        Assert.All(entries, e => Assert.DoesNotContain(Canary, e.FullText, StringComparison.Ordinal));
        Assert.All(tagValues, v => Assert.DoesNotContain(Canary, v, StringComparison.Ordinal));
        Assert.DoesNotContain(Canary, report.Entries["dataweaver"].Description, StringComparison.Ordinal);
        Assert.All(report.Entries["dataweaver"].Data.Values, v => Assert.DoesNotContain(Canary, v.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(Canary, host.Pipelines().GetStatus("warehouse-load").LastError!.ToString(), StringComparison.Ordinal);
    }

    private static void Collect(ReadOnlySpan<KeyValuePair<string, object?>> tags, ConcurrentBag<string> values)
    {
        foreach (var tag in tags)
        {
            values.Add(Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
        }
    }

    /// <summary>A sink with a connection string: it times out once, then fails for good on its 20th write.</summary>
    private sealed class WarehouseSink(string connectionString) : SinkConnector<long>("warehouse")
    {
        private int _writes;

        public string ConnectionString { get; } = connectionString;

        public override ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
        {
            var write = Interlocked.Increment(ref _writes);
            return write switch
            {
                3 => throw new TimeoutException("warehouse did not answer in time"),
                20 => throw new DataWeaverException(ErrorClass.Fatal, "warehouse refused the login"),
                _ => default,
            };
        }
    }
}
