using DataWeaver.Connectors.Memory;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Lifecycle;

/// <summary>The examples of docs/lifecycle.md, run.</summary>
public sealed class LifecycleDocsExamples
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Docs_HostPauseResumeStop_RunsAsDocumented()
    {
        var source = new CountingSource();
        var sink = new CollectionSink<long>();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();

        // snippet: lifecycle-host
        var host = new PipelineHost(
            "orders",
            () => Pipeline.From(source).To(sink).Build(),           // built again for each restart
            new PipelineHostOptions
            {
                DrainTimeout = TimeSpan.FromSeconds(30),            // a stop drains, then aborts after 30 s
                Restart = new PipelineRestartPolicy { MaxRestarts = 5, Delay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromMinutes(1) },
            });
        host.StateChanged += (_, e) => seen.Enqueue($"{e.Name}: {e.Previous} -> {e.Current}");

        host.Start();
        // end snippet
        using (var guard = new CancellationTokenSource(Guard))
        {
            while (sink.Count < 1_000)
            {
                await Task.Delay(5, guard.Token);
            }
        }

        // snippet: lifecycle-pause
        await host.PauseAsync();                 // the source stops reading; what was read is written and committed
        var paused = host.Statistics;            // RecordsInFlight 0, CommitLag 0
        host.Resume();                           // reads on from the next record: nothing lost, nothing read twice
        await host.StopAsync();                  // drain: State is Stopped
        // end snippet

        Assert.Equal((0L, 0L), (paused.RecordsInFlight, paused.CommitLag));
        Assert.Equal(PipelineState.Stopped, host.State);
        Assert.Equal(Enumerable.Range(0, sink.Count).Select(i => (long)i), sink.Records);
        Assert.Equal(
            ["orders: Created -> Running", "orders: Running -> Pausing", "orders: Pausing -> Paused", "orders: Paused -> Running", "orders: Running -> Draining", "orders: Draining -> Stopped"],
            seen);
    }

    [Fact]
    public void Docs_TransitionTable_IsPipelineStatesTransitions()
    {
        var table = "| from | to | when |\n|---|---|---|\n"
            + string.Join('\n', PipelineStates.Transitions.Select(t => $"| `{t.From}` | `{t.To}` | {t.Event} |")) + "\n";
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DataWeaver.Engine.sln")))
        {
            dir = dir.Parent;
        }

        var page = File.ReadAllText(Path.Combine(dir!.FullName, "docs", "lifecycle.md")).Replace("\r", string.Empty, StringComparison.Ordinal);

        Assert.Contains(table, page, StringComparison.Ordinal);
    }
}
