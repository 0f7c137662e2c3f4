using System.Globalization;
using System.Text.Json;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Files;
using DataWeaver.CrashHarness;
using DataWeaver.Hosting;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;

// A file-to-file pipeline that crash tests kill and restart:
//   JsonLinesSource(input, file checkpoints) -> Map (keeps the id) -> JsonLinesSink(output, Append)
// with continuous commits. Exit code 0: the input was read to its end, or a stop signal drained the run.
var settings = HarnessSettings.Parse(args);
var store = new TimedCheckpointStore(new FileCheckpointStore(settings.Checkpoints, new FileCheckpointStoreOptions { FlushToDisk = settings.FlushToDisk }));
var source = new JsonLinesSource(settings.Input, new JsonLinesSourceOptions
{
    // Checkpoints as durable as the output: both survive the process being killed, both fsync with --fsync 1.
    CheckpointStore = store,
    CheckpointKey = HarnessSettings.CheckpointKey,
});
var sink = new JsonLinesSink<OutputLine>(settings.Output, new JsonRecordSerializer<OutputLine>(), new JsonLinesSinkOptions { Append = true, FlushToDisk = settings.FlushToDisk });
var options = new PipelineOptions
{
    Name = "crash-harness",
    CommitInterval = TimeSpan.Zero,
    MaxInFlightRecords = settings.MaxInFlightRecords,
    BatchSize = settings.BatchSize,
};
long seen = 0;
var pipeline = Pipeline.From(source, options)
    .Map(line =>
    {
        if (settings.PauseEvery > 0 && ++seen % settings.PauseEvery == 0)
        {
            Thread.Sleep(1); // slows the run down so that kills and signals land in its middle
        }

        return OutputLine.From(line.Value.Span);
    })
    .To(sink)
    .Build();

var state = await PipelineShutdown.RunUntilSignalAsync(pipeline, settings.DrainTimeout);
Console.WriteLine($"{state}: started at offset {source.ReadStartOffset}, committed {source.CommittedOffset}, cut {sink.TruncatedBytes} bytes of an incomplete line; {store}");
return state is PipelineState.Completed or PipelineState.Stopped ? 0 : 3;

namespace DataWeaver.CrashHarness
{
    /// <summary>Counts the checkpoint saves and times them.</summary>
    public sealed class TimedCheckpointStore(ICheckpointStore inner) : ICheckpointStore
    {
        private long _saves;
        private long _totalTicks;
        private long _maxTicks;

        public IDisposable? Lock(string key) => inner.Lock(key);

        public ValueTask<IReadOnlyList<DataWeaver.Records.SourcePosition>?> LoadAsync(string key, CancellationToken cancellationToken = default) =>
            inner.LoadAsync(key, cancellationToken);

        public async ValueTask SaveAsync(string key, IReadOnlyList<DataWeaver.Records.SourcePosition> positions, CancellationToken cancellationToken = default)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await inner.SaveAsync(key, positions, cancellationToken);
            var ticks = System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks;
            _saves++;
            _totalTicks += ticks;
            _maxTicks = Math.Max(_maxTicks, ticks);
        }

        public override string ToString() =>
            $"{_saves} checkpoint saves, mean {(_saves == 0 ? 0 : TimeSpan.FromTicks(_totalTicks / _saves).TotalMilliseconds):0.000} ms, max {TimeSpan.FromTicks(_maxTicks).TotalMilliseconds:0.000} ms";
    }

    /// <summary>One output line: the input's unique id and a value derived from the input line.</summary>
    public sealed record OutputLine(long Id, int Length, string Tag)
    {
        /// <summary>Decodes an input line <c>{"id":N,"name":"..."}</c>.</summary>
        public static OutputLine From(ReadOnlySpan<byte> line)
        {
            var reader = new Utf8JsonReader(line);
            long id = -1;
            string tag = string.Empty;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    id = reader.GetInt64();
                }
                else if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    tag = reader.GetString()!.ToUpperInvariant();
                }
            }

            return new OutputLine(id, line.Length, tag);
        }
    }

    /// <summary>Command line: <c>input output checkpoints [--max-in-flight N] [--batch-size N] [--pause-every N] [--fsync 0|1] [--drain-timeout-ms N]</c>.</summary>
    public sealed record HarnessSettings(string Input, string Output, string Checkpoints)
    {
        /// <summary>The checkpoint key of the input.</summary>
        public const string CheckpointKey = "crash-harness-input";

        public int MaxInFlightRecords { get; init; } = 4096;

        public int BatchSize { get; init; } = 256;

        public long PauseEvery { get; init; }

        public bool FlushToDisk { get; init; }

        public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

        public static HarnessSettings Parse(string[] args)
        {
            if (args.Length < 3)
            {
                throw new ArgumentException("usage: input output checkpoints [--max-in-flight N] [--batch-size N] [--pause-every N] [--fsync 0|1] [--drain-timeout-ms N]");
            }

            var settings = new HarnessSettings(args[0], args[1], args[2]);
            for (var i = 3; i + 1 < args.Length; i += 2)
            {
                var value = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
                settings = args[i] switch
                {
                    "--max-in-flight" => settings with { MaxInFlightRecords = (int)value },
                    "--batch-size" => settings with { BatchSize = (int)value },
                    "--pause-every" => settings with { PauseEvery = value },
                    "--fsync" => settings with { FlushToDisk = value != 0 },
                    "--drain-timeout-ms" => settings with { DrainTimeout = TimeSpan.FromMilliseconds(value) },
                    _ => throw new ArgumentException("unknown option " + args[i]),
                };
            }

            return settings;
        }
    }
}
