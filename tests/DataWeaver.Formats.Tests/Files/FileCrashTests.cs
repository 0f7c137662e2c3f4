using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Xunit.Abstractions;

namespace DataWeaver.Formats.Tests.Files;

/// <summary>
/// Issue 10's crash Must-show for the <c>file</c> connector: a definition file (file source, checkpointed -> a <c>set</c>
/// transform -> file sink, continuous commits) runs as a separate process (tests/DataWeaver.FileCrashHarness), is killed
/// with SIGKILL five times at random points and restarted each time, in every format. Three inputs:
/// <list type="bullet">
/// <item><c>plain</c>: the whole input is there from the start; the run is paced (a transform sleeps 1 ms every
/// <see cref="PaceEvery"/> records, about 15 s for the input) so that every kill lands while the input is being read;</item>
/// <item><c>appended</c>: a writer appends the input throughout, in chunks that cut records anywhere, and each run reads
/// to the input's current end and exits (a cron-like loop), restarted at once;</item>
/// <item><c>followed</c>: the same writer, and each run follows the file (<c>follow: true</c>) until killed (avro polls
/// every 250 ms, as it reads the container again up to its last position each time the file grew).</item>
/// </list>
/// The final run reads (without following) to the end of the complete input. Then the output is read back and every
/// sequence id counted.
/// </summary>
/// <remarks>
/// Output shapes: json, csv and text append to one output file (the sink cuts a torn last line before appending).
/// Protobuf appends to a new file per run (<c>out-${run}.pb</c>): a length-delimited file has no line end to cut a
/// torn message back to, so appending after a kill would glue the next run's messages to a torn one; a killed run's
/// file keeps its torn last message, which was never acknowledged and which a reader leaves unread. Avro writes JSON
/// lines: an Avro container cannot be appended to, and a replacing sink under a checkpoint is refused (a killed run
/// would never rename its output while its checkpoint moved on: the records would be lost).
/// </remarks>
[Trait("Category", "Soak")]
public sealed class FileCrashTests(ITestOutputHelper output)
{
    private const int Records = 100_000;
    private const int InFlightRecords = 4096;
    private const int Kills = 5;
    private const int PaceEvery = 8;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData("json", "plain")]
    [InlineData("text", "plain")]
    [InlineData("csv", "plain")]
    [InlineData("avro", "plain")]
    [InlineData("protobuf", "plain")]
    [InlineData("json", "appended")]
    [InlineData("text", "appended")]
    [InlineData("csv", "appended")]
    [InlineData("avro", "appended")]
    [InlineData("protobuf", "appended")]
    [InlineData("json", "followed")]
    [InlineData("text", "followed")]
    [InlineData("csv", "followed")]
    [InlineData("protobuf", "followed")]
    [InlineData("avro", "followed")]
    public Task Harness_KilledFiveTimesAndRestarted_LosesAndCorruptsNothing(string format, string input) => RunAsync(format, input);

    private async Task RunAsync(string format, string mode)
    {
        var appending = mode != "plain";
        var following = mode == "followed";
        var root = Directory.CreateTempSubdirectory("dw-file-crash-").FullName;
        try
        {
            var input = Path.Combine(root, InputName(format));
            var bytes = InputBytes(format);
            File.WriteAllText(Path.Combine(root, "crash.yaml"), Definition(format, following));
            File.WriteAllText(Path.Combine(root, "final.yaml"), Definition(format, follow: false));
            File.WriteAllBytes(Path.Combine(root, "types.pb"), FileReadSafetyTests.FileDescriptorSet());
            File.WriteAllBytes(input, appending ? [] : bytes);
            var seed = format.Length * 31 + mode.Length * 7;
            var random = new Random(seed);
            var appender = appending ? AppendAsync(input, bytes, new Random(seed + 1)) : Task.CompletedTask;
            var clock = Stopwatch.StartNew();
            var runs = 0;
            var kills = 0;
            var expectedBytes = ExpectedOutputBytes(format);
            while (kills < Kills && clock.Elapsed < Guard)
            {
                var before = OutputBytes(root);
                var target = before + 1 + (long)(random.NextDouble() * (mode == "appended" ? 20_000 : expectedBytes / (Kills + 2)));
                using var process = Start(root, ++runs, "crash.yaml", appending ? 0 : PaceEvery);
                try
                {
                    if (await WaitForOutputAsync(process, root, target))
                    {
                        process.Kill(); // SIGKILL on Linux
                        await process.WaitForExitAsync().WaitAsync(Guard);
                        kills++;
                        output.WriteLine($"run {runs}: killed at {OutputBytes(root)} output bytes");
                    }
                    else
                    {
                        Assert.True(process.ExitCode == 0, $"run {runs} failed: {await process.StandardOutput.ReadToEndAsync()} {await process.StandardError.ReadToEndAsync()}");
                        Assert.True(mode == "appended", $"run {runs} read the whole input before the kill {kills + 1}");
                    }
                }
                finally
                {
                    if (!process.HasExited)
                    {
                        process.Kill();
                    }
                }
            }

            await appender.WaitAsync(Guard);
            Assert.Equal(Kills, kills);
            using (var last = Start(root, ++runs, "final.yaml", 0))
            {
                await last.WaitForExitAsync().WaitAsync(Guard);
                Assert.True(last.ExitCode == 0, $"the final run failed: {await last.StandardOutput.ReadToEndAsync()} {await last.StandardError.ReadToEndAsync()}");
            }

            var (ids, corrupt, tornTails) = ReadOutput(format, root);
            var counts = new int[Records + 1];
            foreach (var id in ids)
            {
                counts[id]++;
            }

            var lost = counts.Skip(1).Count(c => c == 0);
            var duplicates = ids.Count - (Records - lost);
            output.WriteLine($"{format}, {mode} input: {Records} records, {runs} runs, {kills} kills; output {ids.Count} records: lost {lost}, corrupt {corrupt}, duplicates {duplicates} (bound {Kills * InFlightRecords}), unacknowledged torn tails {tornTails}; {clock.Elapsed.TotalSeconds:0.0} s{(Examples.Count > 0 ? "; corrupt: " + string.Join(" | ", Examples.Take(3)) : string.Empty)}");
            Assert.Equal(0, lost);
            Assert.Equal(0, corrupt);
            Assert.InRange(duplicates, 0, Kills * InFlightRecords);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string InputName(string format) => format switch
    {
        "json" => "in.jsonl",
        "csv" => "in.csv",
        "text" => "in.txt",
        "avro" => "in.avro",
        _ => "in.pb",
    };

    private static string Definition(string format, bool follow)
    {
        const string Protobuf = "{ type: protobuf, settings: { descriptorSet: types.pb, messageType: google.protobuf.FieldDescriptorProto } }";
        var (sourceFormat, field, sink) = format switch
        {
            "avro" => ("avro", "tag", "{ type: file, format: json, settings: { path: out.jsonl, append: true } }"),
            "protobuf" => (Protobuf, "jsonName", "{ type: file, format: " + Protobuf + ", settings: { path: \"out-${run}.pb\", append: true } }"),
            _ => (format, "tag", "{ type: file, format: " + format + ", settings: { path: out." + (format == "json" ? "jsonl" : format == "csv" ? "csv" : "txt") + ", append: true } }"),
        };
        return $$"""
            version: 1
            pipelines:
              - name: crash
                source: { type: file, format: {{sourceFormat}}, settings: { path: {{InputName(format)}}, checkpointDirectory: cp, follow: {{(follow ? "true" : "false")}}, pollInterval: {{(format == "avro" ? "250ms" : "20ms")}} } }
                transforms:
                  - code: { name: pace }
                  - set: { field: {{field}}, value: seen }
                batch: { size: 256 }
                capacity: { inFlightRecords: {{InFlightRecords}} }
                commitInterval: continuous
                sinks: [{{sink}}]
            """;
    }

    private static string Name(int id) => "r" + id.ToString(CultureInfo.InvariantCulture);

    private static byte[] InputBytes(string format)
    {
        var memory = new MemoryStream();
        switch (format)
        {
            case "avro":
                var schema = Serialization.Avro.Schema.AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}""");
                using (var writer = new Serialization.Avro.Container.AvroContainerWriter(memory, schema, new Serialization.Avro.Container.AvroContainerWriterOptions { LeaveOpen = true }))
                {
                    for (var id = 1; id <= Records; id++)
                    {
                        var record = new Serialization.Avro.Generic.GenericRecord((Serialization.Avro.Schema.RecordSchema)schema);
                        record["id"] = (long)id;
                        record["name"] = Name(id);
                        writer.Append(record);
                        if (id % 100 == 0)
                        {
                            writer.Flush();
                        }
                    }
                }

                break;
            case "protobuf":
                for (var id = 1; id <= Records; id++)
                {
                    new FieldDescriptorProto { Name = Name(id), Number = id }.WriteDelimitedTo(memory);
                }

                break;
            default:
                var text = new StringBuilder(format == "csv" ? "id,name\n" : string.Empty);
                for (var id = 1; id <= Records; id++)
                {
                    text.Append(format switch
                    {
                        "json" => $"{{\"id\":{id},\"name\":\"{Name(id)}\"}}\n",
                        "csv" => $"{id},{Name(id)}\n",
                        _ => $"line {id} {Name(id)}\n",
                    });
                }

                memory.Write(Encoding.UTF8.GetBytes(text.ToString()));
                break;
        }

        return memory.ToArray();
    }

    private static long ExpectedOutputBytes(string format) => Records * (format == "protobuf" ? 20L : 30L);

    /// <summary>Appends the input in chunks of random size that cut records anywhere, pausing between them.</summary>
    private static async Task AppendAsync(string path, byte[] bytes, Random random)
    {
        await Task.Yield();
        var at = 0;
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        while (at < bytes.Length)
        {
            var n = Math.Min(bytes.Length - at, 1 + random.Next(bytes.Length / 400));
            file.Write(bytes, at, n);
            file.Flush();
            at += n;
            await Task.Delay(random.Next(5, 25));
        }
    }

    private static Process Start(string root, int run, string definition, int pace)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DataWeaver.FileCrashHarness.dll"));
        info.ArgumentList.Add(Path.Combine(root, definition));
        info.ArgumentList.Add("run=" + run.ToString("D3", CultureInfo.InvariantCulture));
        info.ArgumentList.Add("pace=" + pace.ToString(CultureInfo.InvariantCulture));
        return Process.Start(info)!;
    }

    private static long OutputBytes(string root) => Directory.GetFiles(root, "out*").Sum(f => new FileInfo(f).Length);

    /// <summary>Waits until the outputs hold at least <paramref name="bytes"/> bytes; <see langword="false"/> if the process ended first.</summary>
    private static async Task<bool> WaitForOutputAsync(Process process, string root, long bytes)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Guard)
        {
            if (OutputBytes(root) >= bytes)
            {
                return true;
            }

            if (process.HasExited)
            {
                return false;
            }

            await Task.Delay(2);
        }

        throw new TimeoutException("the harness neither wrote nor ended");
    }

    private List<string> Examples { get; } = [];

    private (List<int> Ids, int Corrupt, int TornTails) ReadOutput(string format, string root)
    {
        List<int> ids = [];
        var corrupt = 0;
        var torn = 0;
        if (format == "protobuf")
        {
            foreach (var file in Directory.GetFiles(root, "out-*.pb").Order(StringComparer.Ordinal))
            {
                var bytes = File.ReadAllBytes(file);
                using var stream = new MemoryStream(bytes);
                while (stream.Position < stream.Length)
                {
                    var start = stream.Position;
                    try
                    {
                        var message = FieldDescriptorProto.Parser.ParseDelimitedFrom(stream);
                        if (message.Name == Name(message.Number) && message.JsonName == "seen")
                        {
                            ids.Add(message.Number);
                        }
                        else
                        {
                            corrupt++;
                        }
                    }
                    catch (InvalidProtocolBufferException)
                    {
                        torn++; // a killed run's last message, cut short and never acknowledged
                        Assert.True(start > 0 || bytes.Length < 64, "a protobuf output starts with a torn message");
                        break;
                    }
                }
            }

            return (ids, corrupt, torn);
        }

        var name = Directory.GetFiles(root, "out.*").Single();
        var text = File.ReadAllText(name);
        var lines = text.Split('\n');
        torn = lines[^1].Length > 0 ? 1 : 0;
        corrupt += torn; // the final run ended cleanly: no line may be torn
        foreach (var line in lines[..^1])
        {
            var id = Parse(format, line);
            if (id is { } ok)
            {
                ids.Add(ok);
            }
            else if (!(format == "csv" && line == "id,name,tag" && ids.Count == 0))
            {
                corrupt++;
                Examples.Add(line);
            }
        }

        return (ids, corrupt, torn);
    }

    private static int? Parse(string format, string line)
    {
        try
        {
            switch (format)
            {
                case "csv":
                    var cells = line.Split(',');
                    return cells.Length == 3 && int.TryParse(cells[0], CultureInfo.InvariantCulture, out var csvId) && cells[1] == Name(csvId) && cells[2] == "seen" ? csvId : null;
                case "text":
                    var parts = line.Split(' ');
                    return parts.Length == 3 && parts[0] == "line" && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var textId) && parts[2] == Name(textId) ? textId : null;
                default:
                    using (var document = JsonDocument.Parse(line))
                    {
                        var root = document.RootElement;
                        var id = root.GetProperty("id").GetInt32();
                        return root.GetProperty("name").GetString() == Name(id) && root.GetProperty("tag").GetString() == "seen" ? id : null;
                    }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }
}
