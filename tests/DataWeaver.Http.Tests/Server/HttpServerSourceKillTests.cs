using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Testing.Crash;
using Xunit.Abstractions;

namespace DataWeaver.Http.Tests.Server;

/// <summary>
/// A SIGKILL loses nothing that was answered 200: the <c>dataweaver</c> CLI runs an <c>http</c> source into an appending
/// JSON-lines file in a separate process, clients post chunks and send again every chunk not answered 200, and the process is
/// killed with SIGKILL three times mid-run and started again on the same port. Every chunk is finally answered 200, and
/// every record of every chunk answered 200 is in the file.
/// </summary>
[Trait("Category", "Soak")]
public sealed class HttpServerSourceKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Records = 40_000;
    private const int PerChunk = 20;
    private const int Clients = 8;
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-http-kill-").FullName;

    [Fact]
    public async Task Kill_ThreeSigkillsMidRun_EveryRecordAnswered200IsInTheOutput()
    {
        var port = ChildProcesses.FreePort();
        var file = Path.Combine(_directory, "pipeline.yaml");
        var outputFile = Path.Combine(_directory, "out.jsonl");
        await File.WriteAllTextAsync(file, $$"""
            version: 1
            pipelines:
              - name: kill-ingest
                source:
                  type: http
                  settings:
                    listen: http://127.0.0.1:{{port}}
                    path: /in
                    maxInFlightRecords: 500
                commitInterval: 0s
                sinks:
                  - { type: json-lines-file, settings: { path: "{{outputFile}}", append: true } }
            """);
        var url = new Uri($"http://127.0.0.1:{port}/in");
        var answered = new ConcurrentDictionary<int, bool>();
        var sinceStart = 0;
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var process = Start(file);
        try
        {
            var next = -1;
            var chunks = Records / PerChunk;
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var clients = Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
            {
                for (var chunk = Interlocked.Increment(ref next); chunk < chunks; chunk = Interlocked.Increment(ref next))
                {
                    var body = Json.Ndjson(Enumerable.Range(chunk * PerChunk, PerChunk).Select(i => (long)i));
                    while (true)
                    {
                        guard.Token.ThrowIfCancellationRequested();
                        try
                        {
                            using var content = new ByteArrayContent(body);
                            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                            using var response = await http.PostAsync(url, content, guard.Token);
                            if (response.StatusCode == HttpStatusCode.OK)
                            {
                                answered[chunk] = true;
                                Interlocked.Increment(ref sinceStart);
                                await Task.Delay(10, guard.Token); // paced, so that the kills land mid-run
                                break;
                            }
                        }
                        catch (Exception error) when (error is HttpRequestException or IOException or TaskCanceledException && !guard.IsCancellationRequested)
                        {
                            // refused (not listening yet) or cut by the kill: send it again
                        }

                        await Task.Delay(20, guard.Token);
                    }
                }
            })));

            var random = new Random(4711);
            for (var kill = 0; kill < 3; kill++)
            {
                Volatile.Write(ref sinceStart, 0);
                while (Volatile.Read(ref sinceStart) < 20 && !clients.IsCompleted)
                {
                    await Task.Delay(10, guard.Token); // the restarted process is serving
                }

                await Task.Delay(random.Next(0, 300), guard.Token);
                var before = answered.Count;
                process.Kill(); // SIGKILL
                await process.WaitForExitAsync(guard.Token);
                output.WriteLine($"kill {kill + 1}: {before} of {chunks} chunks answered 200 before it");
                Assert.True(before < chunks, "Every chunk was answered before the kill: the test proved nothing.");
                process.Dispose();
                process = Start(file);
            }

            await clients;
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

        // A line the sink tore and failed to cut back on restart would be joined to the next one: name it rather than throw.
        var ids = new List<long>();
        var corrupt = new List<string>();
        foreach (var line in File.ReadAllLines(outputFile).Where(l => l.EndsWith('}')))
        {
            try
            {
                ids.Add(Json.Id(System.Text.Encoding.UTF8.GetBytes(line)));
            }
            catch (System.Text.Json.JsonException)
            {
                corrupt.Add(line);
            }
        }

        Assert.True(corrupt.Count == 0, $"{corrupt.Count} corrupt lines in the output, the first: {corrupt.FirstOrDefault()}");
        var lost = answered.Keys.SelectMany(c => Enumerable.Range(c * PerChunk, PerChunk)).Select(i => (long)i).Except(ids).Count();
        output.WriteLine($"{Records} records, {answered.Count} chunks answered 200; in the output {ids.Count} lines, {ids.Distinct().Count()} distinct, {ids.Count - ids.Distinct().Count()} duplicates; lost {lost}");
        Assert.Equal(Records / PerChunk, answered.Count);
        Assert.Equal(0, lost);
        Assert.Equal(Records, ids.Distinct().Count());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Starts <c>dotnet dataweaver.dll run FILE</c> from the CLI's own build output (same configuration as the tests); its output goes to the test's log.</summary>
    private Process Start(string file) =>
        ChildProcesses.StartDotnet(ChildProcesses.BuildOutputOf("src/DataWeaver.Cli", "dataweaver.dll"), ["run", file], Log);

    private void Log(string line)
    {
        if (!line.Contains(" waiting: ", StringComparison.Ordinal) && !line.Contains(" running: ", StringComparison.Ordinal))
        {
            output.WriteLine("dataweaver: " + line);
        }
    }
}
