using System.Collections.Concurrent;
using DataWeaver.Cli.Run;
using DataWeaver.Configuration;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Generator;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Hosting;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DataWeaver.Cli.Tests.Lifecycle;

/// <summary>
/// Issue 11, must show "one state model": the CLI session, the Generic Host and <see cref="ConnectorPipeline{T}"/> report the
/// same states for the same events. Each row drives the same pipelines through each of the three and compares the states
/// every pipeline went through.
/// </summary>
public sealed class OneStateModelTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>The rows: what happens, and the states each pipeline must go through (after Created). Every driver allows one restart.</summary>
    public static TheoryData<string> Events() => [.. Rows.Keys];

    private static readonly Dictionary<string, (string[] Pipelines, Func<IDriver, Task> Act, Dictionary<string, PipelineState[]> Expected)> Rows = new()
    {
        ["start, finish"] = (
            ["finite"],
            d => Task.CompletedTask,
            new() { ["finite"] = [PipelineState.Running, PipelineState.Completed] }),
        ["start, drain"] = (
            ["endless"],
            async d =>
            {
                await d.WaitForAsync("endless", PipelineState.Running);
                d.Stop();
            },
            new() { ["endless"] = [PipelineState.Running, PipelineState.Draining, PipelineState.Stopped] }),
        ["start, drain, abort"] = (
            ["held"],
            async d =>
            {
                await HeldSink.Blocked(d.Id).WaitAsync(Guard);
                d.Stop();
                await d.WaitForAsync("held", PipelineState.Draining);
                d.Abort();
            },
            new() { ["held"] = [PipelineState.Running, PipelineState.Draining, PipelineState.Aborted] }),
        ["one of two fails"] = (
            ["finite", "failing"],
            d => Task.CompletedTask,
            new()
            {
                ["finite"] = [PipelineState.Running, PipelineState.Completed],
                ["failing"] = [PipelineState.Running, PipelineState.Restarting, PipelineState.Running, PipelineState.Failed], // its one restart used, then failed
            }),
        ["pause, resume, drain"] = (
            ["endless"],
            async d =>
            {
                await d.WaitForAsync("endless", PipelineState.Running);
                await d.PauseAsync("endless");
                await d.WaitForAsync("endless", PipelineState.Paused);
                d.Resume("endless");
                await d.WaitForAsync("endless", PipelineState.Running);
                d.Stop();
            },
            new() { ["endless"] = [PipelineState.Running, PipelineState.Pausing, PipelineState.Paused, PipelineState.Running, PipelineState.Draining, PipelineState.Stopped] }),
        ["fail, restart, finish"] = (
            ["fails-once"],
            d => Task.CompletedTask,
            new() { ["fails-once"] = [PipelineState.Running, PipelineState.Restarting, PipelineState.Running, PipelineState.Completed] }),
    };

    [Theory]
    [MemberData(nameof(Events))]
    public async Task States_SameEvents_SameStatesInCliSessionGenericHostAndConnectorPipeline(string row)
    {
        var (pipelines, act, expected) = Rows[row];
        IDriver[] drivers = [new CliSessionDriver(), new GenericHostDriver(), new ConnectorPipelineDriver()];
        foreach (var driver in drivers)
        {
            await using (driver)
            {
                await driver.StartAsync(pipelines);
                await act(driver);
                await driver.WhenEndedAsync().WaitAsync(Guard);

                foreach (var (name, states) in expected)
                {
                    Assert.True(states.SequenceEqual(driver.States(name)), $"{driver.GetType().Name}, {row}, {name}: expected {string.Join(" > ", states)}, saw {string.Join(" > ", driver.States(name))}");
                    Assert.Equal(states[^1], driver.State(name));
                }

                Assert.All(driver.Transitions, t => Assert.True(PipelineStates.IsAllowed(t.Previous, t.Current), $"{t.Previous} > {t.Current} is not in the model"));
            }
        }
    }

    /// <summary>Builds the pipelines of the rows; each driver gets fresh connectors (its own id).</summary>
    private static Pipeline Build(string kind, string id, ConcurrentDictionary<string, int> attempts) => kind switch
    {
        "finite" => Pipeline.From(new CollectionSource<int>([.. Enumerable.Range(0, 100)]), Options(kind)).To(new CollectionSink<int>()).Build(),
        "endless" => Pipeline.From(new GeneratorSource<long>(n => n), Options(kind)).To(new CollectionSink<long>()).Build(),
        "held" => Pipeline.From(new GeneratorSource<long>(n => n), Options(kind)).To(new HeldSink(id)).Build(),
        "failing" => Pipeline.From(new CollectionSource<int>([1]), Options(kind)).Map<int>(_ => throw new DataWeaverException(ErrorClass.Data, "bad record")).To(new CollectionSink<int>()).Build(),
        "fails-once" => Pipeline.From(new CollectionSource<int>([1, 2, 3]), Options(kind))
            .Map(x => x == 1 && attempts.AddOrUpdate(id, 1, (_, n) => n + 1) == 1 ? throw new DataWeaverException(ErrorClass.Transient, "away") : x)
            .To(new CollectionSink<int>())
            .Build(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static PipelineOptions Options(string name) => new() { Name = name, MaxInFlightRecords = 1024, BatchSize = 64 };

    private static readonly PipelineRestartPolicy OneRestart = new() { MaxRestarts = 1, Delay = TimeSpan.Zero };

    private interface IDriver : IAsyncDisposable
    {
        string Id { get; }

        IReadOnlyList<PipelineStateChangedEventArgs> Transitions { get; }

        Task StartAsync(string[] pipelines);

        PipelineState State(string name);

        Task PauseAsync(string name);

        void Resume(string name);

        void Stop();

        void Abort();

        Task WhenEndedAsync();

        IReadOnlyList<PipelineState> States(string name) => [.. Transitions.Where(t => t.Name == name).Select(t => t.Current)];

        async Task WaitForAsync(string name, PipelineState state)
        {
            using var guard = new CancellationTokenSource(Guard);
            while (State(name) != state)
            {
                await Task.Delay(5, guard.Token);
            }
        }
    }

    private abstract class DriverBase : IDriver
    {
        private readonly ConcurrentQueue<PipelineStateChangedEventArgs> _transitions = new();

        public string Id { get; } = Guid.NewGuid().ToString("N");

        public IReadOnlyList<PipelineStateChangedEventArgs> Transitions => [.. _transitions];

        protected ConcurrentDictionary<string, int> Attempts { get; } = new();

        public abstract Task StartAsync(string[] pipelines);

        public abstract PipelineState State(string name);

        public abstract Task PauseAsync(string name);

        public abstract void Resume(string name);

        public abstract void Stop();

        public abstract void Abort();

        public abstract Task WhenEndedAsync();

        public abstract ValueTask DisposeAsync();

        protected void Record(object? sender, PipelineStateChangedEventArgs e) => _transitions.Enqueue(e);
    }

    /// <summary>The <c>dataweaver run</c> session: a manager's pipelines run by <see cref="RunSession"/>, stopped by signals.</summary>
    private sealed class CliSessionDriver : DriverBase
    {
        private readonly List<Action> _signals = [];
        private PipelineManager? _manager;
        private Task? _session;

        public override Task StartAsync(string[] pipelines)
        {
            _manager = new PipelineManager(new PipelineManagerOptions { Lifecycle = new PipelineHostOptions { Restart = OneRestart } });
            _manager.StateChanged += Record;
            var managed = pipelines.Select(kind => _manager.CreatePipeline(Build(kind, Id, Attempts))).ToList();
            var context = new CliContext
            {
                Out = TextWriter.Synchronized(new StringWriter()),
                Error = TextWriter.Synchronized(new StringWriter()),
                StopSignals = handler =>
                {
                    lock (_signals)
                    {
                        _signals.Add(handler);
                    }

                    return new Unsubscribe(() => { });
                },
            };
            _session = Task.Run(() => RunSession.RunAsync(context, _manager, managed, new RunSettings(Timeout.InfiniteTimeSpan, TimeSpan.FromHours(1)), static s => s));
            return Task.CompletedTask;
        }

        public override PipelineState State(string name) => _manager![name].State;

        public override Task PauseAsync(string name) => _manager!.PausePipelineAsync(name);

        public override void Resume(string name) => _manager!.ResumePipeline(name);

        public override void Stop() => Signal();     // Ctrl+C: drain

        public override void Abort() => Signal();    // a second Ctrl+C: abort

        public override Task WhenEndedAsync() => _session!;

        public override async ValueTask DisposeAsync()
        {
            if (_manager is not null)
            {
                await _manager.DisposeAsync();
            }
        }

        private void Signal()
        {
            Action[] handlers;
            lock (_signals)
            {
                handlers = [.. _signals];
            }

            foreach (var handler in handlers)
            {
                handler();
            }
        }

        private sealed class Unsubscribe(Action action) : IDisposable
        {
            public void Dispose() => action();
        }
    }

    /// <summary>The Generic Host integration: <c>AddDataWeaver</c>, stopped by the host's shutdown.</summary>
    private sealed class GenericHostDriver : DriverBase
    {
        private readonly CancellationTokenSource _abort = new();
        private IHost? _host;
        private HostedPipelines? _pipelines;
        private Task? _stopping;

        public override async Task StartAsync(string[] pipelines)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddDataWeaver(b =>
            {
                foreach (var kind in pipelines)
                {
                    b.AddPipeline(kind, _ => Build(kind, Id, Attempts));
                }

                b.Configure(o => (o.MaxRestarts, o.RestartDelay, o.DrainTimeout) = (1, TimeSpan.Zero, Timeout.InfiniteTimeSpan));
            });
            _host = builder.Build();
            _pipelines = _host.Services.GetRequiredService<HostedPipelines>();
            _pipelines.StateChanged += Record;
            await _host.StartAsync();
        }

        public override PipelineState State(string name) => _pipelines!.GetStatus(name).State;

        public override Task PauseAsync(string name) => _pipelines!.PauseAsync(name);

        public override void Resume(string name) => _pipelines!.Resume(name);

        public override void Stop() => _stopping = _host!.StopAsync(_abort.Token);  // the host shuts down: drain

        public override void Abort() => _abort.Cancel();                            // its shutdown timeout passes: abort

        public override async Task WhenEndedAsync()
        {
            await _pipelines!.WhenAllEnded();
            await (_stopping ?? Task.CompletedTask);
        }

        public override async ValueTask DisposeAsync()
        {
            if (_host is not null)
            {
                await _host.StopAsync();
                _host.Dispose();
            }

            _abort.Dispose();
        }
    }

    /// <summary>The seeds' <see cref="ConnectorPipeline{T}"/>-style API: one host per pipeline, driven by hand.</summary>
    private sealed class ConnectorPipelineDriver : DriverBase
    {
        private readonly Dictionary<string, PipelineHost> _hosts = [];

        public override Task StartAsync(string[] pipelines)
        {
            foreach (var kind in pipelines)
            {
                var pipeline = Build(kind, Id, Attempts);
                var host = kind switch
                {
                    // The seeds' two-connector pipeline where the row allows it; the same host underneath otherwise.
                    "finite" => ConnectorPipeline.Create((SourceConnector<int>)pipeline.Source, (SinkConnector<int>)pipeline.Sinks[0], Options(kind), new PipelineHostOptions { Restart = OneRestart }).Host,
                    _ => new PipelineHost(pipeline, new PipelineHostOptions { Restart = OneRestart }),
                };
                host.StateChanged += Record;
                _hosts.Add(kind, host);
            }

            foreach (var host in _hosts.Values)
            {
                host.Start();
            }

            return Task.CompletedTask;
        }

        public override PipelineState State(string name) => _hosts[name].State;

        public override Task PauseAsync(string name) => _hosts[name].PauseAsync();

        public override void Resume(string name) => _hosts[name].Resume();

        public override void Stop()
        {
            foreach (var host in _hosts.Values)
            {
                host.RequestStop();
            }
        }

        public override void Abort()
        {
            foreach (var host in _hosts.Values)
            {
                host.Abort();
            }
        }

        public override Task WhenEndedAsync() => Task.WhenAll(_hosts.Values.Select(h => h.Completion));

        public override ValueTask DisposeAsync() => default;
    }

    /// <summary>A sink whose writes wait until the run is aborted: a drain cannot finish while it holds a batch.</summary>
    private sealed class HeldSink(string id) : SinkConnector<long>("held")
    {
        private static readonly ConcurrentDictionary<string, TaskCompletionSource> s_blocked = new();

        public static Task Blocked(string id) => s_blocked.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public override async ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
        {
            s_blocked.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
