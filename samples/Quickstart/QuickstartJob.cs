using DataWeaver.Connectors.Files;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;

namespace Quickstart;

/// <summary>The quickstart job: orders.jsonl -> decode -> filter -> enrich -> big-orders.jsonl.</summary>
public static class QuickstartJob
{
    private static readonly string[] Countries = ["DE", "FR", "US", "BR", "JP", "IN", "NG", "AU"];

    /// <summary>Builds the pipeline; kept apart from Main so the tests run the same code.</summary>
    public static Pipeline Build(string input, string output)
    {
        var decode = new JsonRecordDeserializer<Order>(OrdersJson.Default.Order);
        return Pipeline.From(new JsonLinesSource(input), new PipelineOptions { Name = "quickstart" })
            .Parallel(2)                                   // decoding is the costly part: two workers, order kept
            .Map(line => decode.Deserialize(line.Value.Span))
            .Filter(order => order.Amount * order.Quantity >= 100m)
            .Map(order => new EnrichedOrder(
                order.Id,
                order.Customer,
                Region(order.Country),
                order.Amount * order.Quantity,
                Priority: order.Amount * order.Quantity >= 1_000m))
            .To(new JsonLinesSink<EnrichedOrder>(output, new JsonRecordSerializer<EnrichedOrder>(OrdersJson.Default.EnrichedOrder)))
            .Build();
    }

    /// <summary>Writes <paramref name="count"/> deterministic orders as JSON lines.</summary>
    public static void WriteOrders(string path, int count)
    {
        using var file = new StreamWriter(path);
        for (var i = 0; i < count; i++)
        {
            var order = new Order(i, $"customer-{i % 10_007}", Countries[i % Countries.Length], (i % 500) + 0.99m, (i % 7) + 1);
            file.WriteLine(System.Text.Json.JsonSerializer.Serialize(order, OrdersJson.Default.Order));
        }
    }

    private static string Region(string country) => country switch
    {
        "DE" or "FR" => "EMEA",
        "NG" => "EMEA",
        "US" or "BR" => "AMER",
        _ => "APAC",
    };
}
