using System.Diagnostics;
using System.Net;
using System.Text;
using DataWeaver.Sockets.Tests.Support;
using DataWeaver.Testing.Crash;
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
        var port = ChildProcesses.FreePort();
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
    private Process Start(string file) =>
        ChildProcesses.StartDotnet(ChildProcesses.BuildOutputOf("tests/DataWeaver.Sockets.Harness", "DataWeaver.Sockets.Harness.dll"), [file, "tcp-kill"], line => output.WriteLine("harness: " + line));
}
