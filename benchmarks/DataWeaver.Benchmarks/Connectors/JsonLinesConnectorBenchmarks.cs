using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using DataWeaver.Connectors.Files;
using DataWeaver.Pipelines;

namespace DataWeaver.Benchmarks.Connectors;

/// <summary>
/// Copies a JSON-lines file of 200,000 lines (about 95 bytes each, in the temp folder) to another file, line by line.
/// Baseline: the loop most code writes, <c>StreamReader.ReadLine</c> into <c>StreamWriter.WriteLine</c>. Beside it: a
/// byte loop over 64 KiB <see cref="FileStream"/> reads (no strings), and the engine:
/// <c>JsonLinesSource -&gt; JsonLinesSink.Raw</c> (lines cut from pooled buffers, a write per batch). Per line.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class JsonLinesConnectorBenchmarks
{
    public const int LineCount = 200_000;

    private string _directory = "";
    private string _input = "";
    private string _output = "";
    private Pipeline _pipeline = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("dataweaver-bench-").FullName;
        _input = Path.Combine(_directory, "input.jsonl");
        _output = Path.Combine(_directory, "output.jsonl");
        var text = new StringBuilder();
        for (var i = 0; i < LineCount; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{{\"id\":{1_000_000 + i},\"user\":\"user-{i % 100_000:D5}\",\"amount\":{(i % 99_999) / 100.0},\"qty\":{(i % 8) + 1},\"country\":\"FR\",\"ts\":{1_732_190_000_000 + i}}}\n");
        }

        File.WriteAllText(_input, text.ToString());
        _pipeline = Pipeline.From(new JsonLinesSource(_input)).To(JsonLinesSink.Raw(_output)).Build();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Baseline = true, OperationsPerInvoke = LineCount)]
    public int StreamReaderWriterLoop()
    {
        var lines = 0;
        using (var reader = new StreamReader(_input))
        using (var writer = new StreamWriter(_output))
        {
            while (reader.ReadLine() is { } line)
            {
                if (line.Length > 0)
                {
                    writer.WriteLine(line);
                    lines++;
                }
            }
        }

        return Check(lines);
    }

    [Benchmark(OperationsPerInvoke = LineCount)]
    public int FileStreamByteLoop()
    {
        var lines = 0;
        using (var input = new FileStream(_input, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        using (var output = new FileStream(_output, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            var buffer = new byte[64 * 1024];
            var pending = 0;
            int read;
            while ((read = input.Read(buffer, pending, buffer.Length - pending)) > 0)
            {
                var filled = pending + read;
                var start = 0;
                int end;
                while ((end = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                {
                    lines += end > 0 ? 1 : 0;
                    start += end + 1;
                }

                output.Write(buffer, 0, start); // whole lines, as read
                pending = filled - start;
                buffer.AsSpan(start, pending).CopyTo(buffer);
            }
        }

        return Check(lines);
    }

    [Benchmark(OperationsPerInvoke = LineCount)]
    public async Task<int> DataWeaverJsonLines()
    {
        await _pipeline.RunAsync();
        return Check(LineCount);
    }

    private int Check(int lines) =>
        lines == LineCount && new FileInfo(_output).Length == new FileInfo(_input).Length
            ? lines
            : throw new InvalidOperationException($"Copied {lines} lines, {new FileInfo(_output).Length} bytes; expected {LineCount} lines, {new FileInfo(_input).Length} bytes.");
}
