using System.Threading.Channels;
using DataWeaver.Pipelines;
using MyApp;

namespace DataWeaver.Docs.Tests.HowDoI;

/// <summary>"Write my own source and sink in C#", run as printed.</summary>
public sealed class CustomConnectorTests
{
    public sealed record Order(int Id, string Customer, decimal Amount);

    [Fact]
    public async Task ChannelSourceToLinesSink_TwoOrders_WritesTheBigOneAndCompletesWhenTheChannelIsDone()
    {
        using var folder = new WorkingFolder();
        var outputPath = Path.Combine(folder.Root, "big-orders.txt");

        // snippet: howdoi-connectors-run
        var orders = Channel.CreateBounded<Order>(1000);     // the application writes orders here
        var pipeline = Pipeline.From(new ChannelSource<Order>(orders.Reader))
            .Filter(order => order.Amount >= 100)
            .Map(order => $"{order.Id};{order.Customer};{order.Amount}")
            .To(new LinesSink(File.CreateText(outputPath)))
            .Build();
        var run = pipeline.Start();

        await orders.Writer.WriteAsync(new Order(1, "ada", 40m));
        await orders.Writer.WriteAsync(new Order(2, "bob", 250m));
        orders.Writer.Complete();                            // the source ends, the pipeline delivers the rest and completes
        await run.Completion;                                // the file holds "2;bob;250"
        // end snippet

        Assert.Equal(["2;bob;250"], await File.ReadAllLinesAsync(outputPath));
        Assert.Equal(2, run.Statistics.RecordsRead);
    }
}
