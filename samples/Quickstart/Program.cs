using System.Diagnostics;
using Quickstart;

// dotnet run -c Release --project samples/Quickstart [-- ORDERS_COUNT]
var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
var folder = Path.Combine(Path.GetTempPath(), "dataweaver-quickstart");
Directory.CreateDirectory(folder);
var input = Path.Combine(folder, "orders.jsonl");
var output = Path.Combine(folder, "big-orders.jsonl");

Console.WriteLine($"Writing {count:N0} orders to {input} ...");
QuickstartJob.WriteOrders(input, count);

var pipeline = QuickstartJob.Build(input, output);
Console.WriteLine(pipeline.Describe().ToText());

var clock = Stopwatch.StartNew();
var run = pipeline.Start();
using var ctrlC = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; run.RequestStop(); };
while (!run.Completion.IsCompleted)
{
    await Task.WhenAny(run.Completion, Task.Delay(1000));
    var stats = run.Statistics;
    Console.WriteLine($"  {clock.Elapsed.TotalSeconds,6:F1} s  read {stats.RecordsRead,12:N0}  written {stats.RecordsWritten,12:N0}  in flight {stats.RecordsInFlight,7:N0}");
}

await run.Completion;
var final = run.Statistics;
var seconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"Done: read {final.RecordsRead:N0} orders, wrote {final.RecordsWritten:N0} big orders to {output}");
Console.WriteLine($"      {final.RecordsRead / seconds:N0} records/s, {new FileInfo(input).Length / seconds / 1024 / 1024:N1} MiB/s of JSON in {seconds:F2} s");
