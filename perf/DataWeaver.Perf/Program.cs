using System.Diagnostics;
using DataWeaver.Perf.Harness;
using DataWeaver.Perf.Reports;

// The performance suite (docs/perf/README.md): every workload on DataWeaver and its peers, in this process.
//   dotnet run -c Release --project perf/DataWeaver.Perf -- [--quick] [--gate] [--json FILE] [--docs DIR] [--only W1,W3]
//   dotnet run -c Release --project perf/DataWeaver.Perf -- --quickstart-loop OUTPUT ORDERS   (W7's loop alone, cold)
//   dotnet run -c Release --project perf/DataWeaver.Perf -- --w4-steps [RECORDS] [ROUNDS]      (W4's steps, thread CPU)
// Progress goes to standard error; the Markdown tables (and the gate) to standard output. Exit code 1 when a floor
// of the gate is missed, 2 when a peer fails or computes a wrong result.
if (args is ["--quickstart-loop", var loopOutput, var loopOrders])
{
    // The cold half of the quickstart comparison (perf/quickstart-cold.sh): only the hand-written loop, in a fresh process.
    var written = DataWeaver.Perf.Workloads.W7Quickstart.QuickstartLoop.Run(loopOutput, long.Parse(loopOrders, System.Globalization.CultureInfo.InvariantCulture), TimeProvider.System);
    Console.Error.WriteLine($"quickstart loop: {written} records written");
    return 0;
}

if (args is ["--w4-steps", .. var stepArgs])
{
    // W4's per-record steps alone, each on one thread's CPU clock (docs/perf/README.md, "W4").
    var stepRecords = stepArgs.Length > 0 ? long.Parse(stepArgs[0], System.Globalization.CultureInfo.InvariantCulture) : 200_000;
    var stepRounds = stepArgs.Length > 1 ? int.Parse(stepArgs[1], System.Globalization.CultureInfo.InvariantCulture) : 15;
    DataWeaver.Perf.Workloads.W4Protobuf.W4Steps.Run(stepRecords, stepRounds, Console.Out);
    return 0;
}

var options = PerfOptions.Parse(args);
using var tracing = options.TraceRatio is { } ratio ? PerfTracing.Start(ratio) : null;
var clock = Stopwatch.StartNew();
var loadAtStart = DocsWriter.LoadAverage();
var results = await RunAsync(options);
if (results is null)
{
    return 2;
}

Console.Error.WriteLine($"perf: {results.Count} workloads in {clock.Elapsed.TotalSeconds:F0} s");
foreach (var result in results)
{
    Console.WriteLine(MarkdownTable.Render(result));
}

if (options.JsonPath is { } json)
{
    JsonReport.Write(json, results);
}

if (options.DocsDirectory is { } docs)
{
    DocsWriter.Write(docs, results, options, clock.Elapsed, loadAtStart);
}

if (options.Gate)
{
    var attempts = results.ToDictionary(r => r.Name, r => new List<WorkloadResult> { r });
    for (var retry = 0; retry < Gate.Retries && Gate.Failing(attempts) is { Count: > 0 } failing; retry++)
    {
        Console.Error.WriteLine($"perf: floors missed in {string.Join(", ", failing)}; measuring again");
        if (await RunAsync(options with { Only = failing.ToHashSet() }) is not { } again)
        {
            return 2;
        }

        again.ForEach(result => attempts[result.Name].Add(result));
    }

    var (report, passed) = Gate.Check(attempts);
    Console.WriteLine(report);
    Console.Error.WriteLine($"perf: done in {clock.Elapsed.TotalSeconds:F0} s");
    return passed ? 0 : 1;
}

return 0;

static async Task<List<WorkloadResult>?> RunAsync(PerfOptions options)
{
    var results = new List<WorkloadResult>();
    using var sampler = options.AllocationTypes ? new AllocationSampler() : null;
    try
    {
        foreach (var workload in WorkloadCatalog.Create(options))
        {
            await using (workload)
            {
                results.Add(await Runner.RunAsync(workload, options.Settings, Console.Error, sampler, options.Measures));
            }

            Runner.FullCollect();
        }
    }
    catch (Exception error)
    {
        Console.Error.WriteLine($"perf: {error}");
        return null;
    }
    finally
    {
        await DataWeaver.Perf.Peers.Akka.AkkaFamily.ShutdownAsync();
    }

    return results;
}
