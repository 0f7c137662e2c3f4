namespace DataWeaver.Configuration.Tests.Support;

/// <summary>Runs every pipeline of a file to its end, as the CLI's run command does, and reports how each ended.</summary>
internal static class ExampleRunner
{
    /// <summary>
    /// Loads the file into a manager, starts every pipeline, waits for those with finite sources, then drains the stream
    /// consumers once they have read everything their streams hold (a drain delivers every record read).
    /// </summary>
    public static async Task<IReadOnlyList<ManagedPipeline>> RunAsync(string path, string baseDirectory, Func<string, string?> environment, ConnectorRegistry? registry = null, TimeProvider? time = null)
    {
        await using var manager = new PipelineManager(new PipelineManagerOptions
        {
            Registry = registry,
            Environment = environment,
            Factory = new PipelineFactoryOptions { BaseDirectory = baseDirectory, TimeProvider = time ?? TimeProvider.System },
        });
        var pipelines = manager.LoadFile(path);
        manager.StartAll();
        var finite = pipelines.Where(p => p.Definition!.Source.Type != "stream").ToList();
        await Task.WhenAll(finite.Select(p => p.LastRun!.Completion.ContinueWith(static _ => { }, TaskScheduler.Default)));
        foreach (var consumer in pipelines.Except(finite))
        {
            var definition = consumer.Definition!;
            var framework = manager.Factory.GetFramework(definition.Framework);
            var topic = definition.Source.Settings["topic"]!.Text!;
            var total = (await framework.GetWatermarksAsync(topic)).Sum(w => w.High - w.Low);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (consumer.LastRun!.Statistics.RecordsRead < total)
            {
                await Task.Delay(10, deadline.Token); // a safety deadline, not a measurement: the test fails if it is ever reached
            }

            await manager.StopPipelineAsync(consumer.Name);
        }

        return pipelines;
    }
}
