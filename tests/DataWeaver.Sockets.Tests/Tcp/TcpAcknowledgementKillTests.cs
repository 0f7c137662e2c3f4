using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DataWeaver.Sockets.Tests.Support;
using Xunit.Abstractions;

namespace DataWeaver.Sockets.Tests.Tcp;

/// <summary>
/// A SIGKILL loses nothing a client got acknowledged: a <c>tcp</c> source with acknowledgements into an appending JSON-lines file
/// runs in a separate process (tests/DataWeaver.Sockets.Harness) that is killed with SIGKILL three times mid-run and started again
/// on the same port. Eight clients send 40,000 records and send again whatever was not acknowledged when a connection broke.
/// After each kill, every record acknowledged so far is in the file; at the end every record is, and the duplicates are counted.
/// </summary>
[Trait("Category", "Soak")]
public sealed class TcpAcknowledgementKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Records = 40_000;
    private const int Clients = 8;
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-tcp-kill-").FullName;

    [Fact]
    public async Task Kill_ThreeSigkillsMidRun_EveryAcknowledgedRecordIsInTheOutput()
    {
        var port = FreePort();
        var file = Path.Combine(_directory, "pipeline.yaml");
        var outputFile = Path.Combine(_directory, "out.jsonl");
        await File.WriteAllTextAsync(file, $$"""
            version: 1
            pipelines:
              - name: tcp-kill
                source:
                  type: tcp
                  settings:
                    listen: 127.0.0.1:{{port}}
                    acknowledgements: true
                    maxInFlightRecords: 500
                commitInterval: 0s
                sinks:
                  - { type: json-lines-file, settings: { path: "{{outputFile}}", append: true } }
            """);
        var frames = AckingClients.Split([.. Enumerable.Range(0, Records).Select(i => Frames.Record(i))], Clients);
        var process = Start(file);
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var clients = AckingClients.Start(frames, () => endpoint, pauseEvery: 20);
        try
        {
            var random = new Random(4711);
            for (var kill = 0; kill < 3; kill++)
            {
                var sinceStart = clients.TotalAcknowledged;
                while (clients.TotalAcknowledged < sinceStart + 400 && !clients.Completion.IsCompleted)
                {
                    await Task.Delay(10, guard.Token); // the (re)started process is serving
                }

                await Task.Delay(random.Next(0, 300), guard.Token);
                process.Kill(); // SIGKILL
                await process.WaitForExitAsync(guard.Token);
                var acknowledged = AcknowledgedIds(clients);
                var lost = acknowledged.Except(OutputIds(outputFile)).Count();
                output.WriteLine($"kill {kill + 1}: {acknowledged.Count} of {Records} records acknowledged before it; of those, {lost} missing from the output");
                Assert.True(acknowledged.Count < Records, "Every record was acknowledged before the kill: the test proved nothing.");
                Assert.Equal(0, lost);
                process.Dispose();
                process = Start(file);
            }

            await clients.Completion.WaitAsync(guard.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync(CancellationToken.None);
            }

            process.Dispose();
        }

        var ids = OutputIds(outputFile);
        var acknowledgedAtEnd = AcknowledgedIds(clients);
        var distinct = ids.Distinct().Count();
        output.WriteLine($"{Records} records, {acknowledgedAtEnd.Count} acknowledged over {clients.Connects} connections; in the output {ids.Count} lines, {distinct} distinct, {ids.Count - distinct} duplicates; lost {acknowledgedAtEnd.Except(ids).Count()}");
        Assert.Equal(Records, acknowledgedAtEnd.Count);
        Assert.Empty(acknowledgedAtEnd.Except(ids));
        Assert.Equal(Records, distinct);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static HashSet<long> AcknowledgedIds(AckingClients clients) =>
        [.. clients.Acknowledged.SelectMany((count, client) => clients.Frames[client].Take((int)count).Select(f => Frames.Id(f)))];

    /// <summary>The ids of the complete lines of the output (a line cut by the kill is left out: it was never acknowledged).</summary>
    private static List<long> OutputIds(string path) =>
        File.Exists(path) ? [.. File.ReadAllLines(path).Where(l => l.EndsWith('}')).Select(l => Frames.Id(Encoding.UTF8.GetBytes(l)))] : [];

    /// <summary>Starts the harness from its own build output (same configuration as the tests); its output goes to the test's log.</summary>
    private Process Start(string file)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // tests/DataWeaver.Sockets.Tests/bin/CONFIG/TFM
        var root = testOutput.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var harness = Path.Combine(root, "tests", "DataWeaver.Sockets.Harness", "bin", testOutput.Parent!.Name, testOutput.Name, "DataWeaver.Sockets.Harness.dll");
        Assert.True(File.Exists(harness), $"The harness is not built: {harness}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(harness);
        start.ArgumentList.Add(file);
        start.ArgumentList.Add("tcp-kill");
        var process = Process.Start(start) ?? throw new InvalidOperationException("The harness did not start.");
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            try
            {
                output.WriteLine("harness: " + line);
            }
            catch (InvalidOperationException)
            {
                // the test ended
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
