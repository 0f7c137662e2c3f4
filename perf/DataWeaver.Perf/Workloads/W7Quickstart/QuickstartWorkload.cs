using DataWeaver.Configuration;
using DataWeaver.Perf.Harness;

namespace DataWeaver.Perf.Workloads.W7Quickstart;

/// <summary>
/// W7, the README quickstart: samples/config/quickstart.yaml (generator -&gt; filter -&gt; lookup/set/rename/drop/timestamp
/// -&gt; JSON lines, <c>parallelism: 2</c>) loaded and built once through the definition-file path
/// (<see cref="PipelineDefinitionLoader"/> and <see cref="PipelineFactory"/>, as the CLI does), against
/// <see cref="QuickstartLoop"/>, the same job written by hand with System.Text.Json. Records are generated orders (a
/// fifth are dropped by the filter). Both write a real file; the output must have the reference's line count and
/// length (the timestamps differ, not their width).
/// </summary>
internal sealed class QuickstartWorkload(long records) : Workload
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dataweaver-perf-w7-").FullName;
    private PipelineFactory? _factory;
    private long _expectedLines;
    private long _expectedLength;

    public override string Name => "W7";

    public override string Title => "the README quickstart: the definition file vs a hand-written System.Text.Json loop";

    public override long Records => records;

    /// <summary>Finds samples/config/quickstart.yaml from the working folder or the harness's own folder upwards.</summary>
    public static string DefinitionFile()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, "samples", "config", "quickstart.yaml");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("samples/config/quickstart.yaml not found above the working folder or the harness.");
    }

    public override IEnumerable<PeerBench> Peers()
    {
        var loopOutput = Path.Combine(_folder, "loop.jsonl");
        yield return new PeerBench(PeerNames.RawLoop, verify =>
        {
            var written = QuickstartLoop.Run(loopOutput, records, TimeProvider.System);
            if (verify)
            {
                _expectedLines = written;
                _expectedLength = new FileInfo(loopOutput).Length;
            }

            return Task.FromResult(default(Iteration));
        });

        var definition = PipelineDefinitionLoader.Load(DefinitionFile(), new PipelineLoadOptions
        {
            Environment = name => name switch
            {
                "ORDERS" => records.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "OUTPUT_DIR" => _folder,
                _ => Environment.GetEnvironmentVariable(name),
            },
        });
        _factory = new PipelineFactory();
        var pipeline = _factory.Create(definition.Pipelines[0]);
        var output = Path.Combine(_folder, "big-orders.jsonl");
        yield return new PeerBench(PeerNames.DataWeaver, async verify =>
        {
            await pipeline.RunAsync();
            if (verify)
            {
                Check(File.ReadLines(output).LongCount() == _expectedLines, $"dataweaver wrote {File.ReadLines(output).LongCount()} lines, the loop {_expectedLines}");
                Check(new FileInfo(output).Length == _expectedLength, $"dataweaver wrote {new FileInfo(output).Length} bytes, the loop {_expectedLength}");
            }

            return default;
        });
    }

    public override async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
        await base.DisposeAsync();
    }
}
