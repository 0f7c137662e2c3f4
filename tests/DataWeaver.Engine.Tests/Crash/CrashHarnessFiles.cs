using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataWeaver.Checkpoints;
using DataWeaver.CrashHarness;

namespace DataWeaver.Tests.Crash;

/// <summary>The input, output and checkpoint files of one crash-harness scenario, and the harness process.</summary>
internal sealed class CrashHarnessFiles : IDisposable
{
    private readonly long[] _lineEnds;

    public CrashHarnessFiles(int lines)
    {
        Directory.CreateDirectory(Root);
        _lineEnds = new long[lines];
        var builder = new StringBuilder();
        long offset = 0;
        for (var i = 0; i < lines; i++)
        {
            var line = $"{{\"id\":{i},\"name\":\"item-{i}\"}}\n";
            builder.Append(line);
            offset += line.Length;
            _lineEnds[i] = offset;
            ExpectedOutputBytes += JsonSerializer.SerializeToUtf8Bytes(new OutputLine(i, line.Length - 1, $"ITEM-{i}"), OutputOptions).Length + 1;
        }

        File.WriteAllText(Input, builder.ToString());
    }

    public static string HarnessDll => Path.Combine(AppContext.BaseDirectory, "DataWeaver.CrashHarness.dll");

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "dw-crash-" + Guid.NewGuid().ToString("N"));

    public string Input => Path.Combine(Root, "input.jsonl");

    public string Output => Path.Combine(Root, "output.jsonl");

    public string Checkpoints => Path.Combine(Root, "checkpoints");

    public int Lines => _lineEnds.Length;

    /// <summary>Gets the size the output has once every record is in it exactly once.</summary>
    public long ExpectedOutputBytes { get; }

    public long OutputLength => File.Exists(Output) ? new FileInfo(Output).Length : 0;

    private static JsonSerializerOptions OutputOptions { get; } = new(JsonSerializerDefaults.Web);

    public Process Start(int maxInFlight, int batchSize, long pauseEvery = 0)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            HarnessDll, Input, Output, Checkpoints,
            "--max-in-flight", maxInFlight.ToString(CultureInfo.InvariantCulture),
            "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture),
            "--pause-every", pauseEvery.ToString(CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info)!;
    }

    /// <summary>Waits until the output holds at least <paramref name="bytes"/> bytes; false if the process ended first.</summary>
    public async Task<bool> WaitForOutputAsync(Process process, long bytes, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (OutputLength < bytes)
        {
            if (process.HasExited || deadline.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(1);
        }

        return true;
    }

    /// <summary>Gets the committed input offset from the checkpoint file, and how many input lines lie before it.</summary>
    public async Task<(long Offset, int Lines)> CommittedAsync()
    {
        var positions = await new FileCheckpointStore(Checkpoints).LoadAsync(HarnessSettings.CheckpointKey);
        var offset = positions is { Count: > 0 } ? positions[0].Offset : 0;
        var index = Array.BinarySearch(_lineEnds, offset);
        Assert.True(offset == 0 || index >= 0, $"the committed offset {offset} is not a line end of the input");
        return (offset, offset == 0 ? 0 : index + 1);
    }

    /// <summary>Reads the ids of the output's complete lines, failing on a corrupt one; tells whether an incomplete line follows them.</summary>
    public (List<long> Ids, bool TornTail) ReadOutput()
    {
        var bytes = File.Exists(Output) ? File.ReadAllBytes(Output) : [];
        var ids = new List<long>(Lines + 1);
        var start = 0;
        while (true)
        {
            var length = bytes.AsSpan(start).IndexOf((byte)'\n');
            if (length < 0)
            {
                return (ids, start < bytes.Length);
            }

            var line = bytes.AsSpan(start, length);
            OutputLine? decoded = null;
            try
            {
                decoded = JsonSerializer.Deserialize<OutputLine>(line, OutputOptions);
            }
            catch (JsonException)
            {
            }

            Assert.True(
                decoded is not null && decoded.Tag == $"ITEM-{decoded.Id}" && decoded.Id >= 0 && decoded.Id < Lines,
                $"corrupt output line at byte {start}: {Encoding.UTF8.GetString(line)}");
            ids.Add(decoded!.Id);
            start += length + 1;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
