using System.Text.Json.Nodes;
using DataWeaver.Configuration;

namespace DataWeaver.Docs.Tests.HowDoI;

/// <summary>"Copy a file to another, with transforms": the printed input, file and output.</summary>
public sealed class FileToFileTests
{
    [Fact]
    public async Task CleanOrders_PrintedInput_WritesThePrintedOutputAndRejectsTheBadOrder()
    {
        using var folder = new WorkingFolder();
        folder.Write("input/orders.jsonl", HowDoIPage.Block("input", "input/orders.jsonl"));
        var file = folder.Write("clean-orders.yaml", HowDoIPage.Block("file", "clean-orders.yaml"));

        await using (var manager = new PipelineManager())
        {
            manager.LoadFile(file);
            await manager.StartPipeline("clean-orders").Completion;
        }

        Assert.Equal(HowDoIPage.Lines("output", "output/orders.jsonl"), await File.ReadAllLinesAsync(Path.Combine(folder.Root, "output", "orders.jsonl")));
        var rejected = (await File.ReadAllLinesAsync(Path.Combine(folder.Root, "output", "rejected.jsonl"))).Select(l => JsonNode.Parse(l)!).ToList();
        var deadLetter = Assert.Single(rejected);
        Assert.Equal(4, deadLetter["payload"]!["id"]!.GetValue<int>());
        Assert.Equal("lots", deadLetter["payload"]!["amount"]!.GetValue<string>());
        Assert.Contains("lots", deadLetter["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
