using DataWeaver.Formats.Csv;
using DataWeaver.Formats.Tests.Support;

namespace DataWeaver.Formats.Tests.Joins;

/// <summary>The <c>enrich</c> transform (a lookup join) with its table in a CSV file, read through the csv file format.</summary>
public sealed class EnrichFromCsvTests
{
    [Fact]
    public async Task Enrich_TableFromACsvFile_AddsTheRowOfEachRecordsKey()
    {
        using var run = new DefinitionRun(r => r.AddCsv());
        run.Write("customers.csv", "id,name,country\nc1,Ann,DE\nc2,\"Bob, Jr.\",FR\n");
        run.Write("orders.jsonl", "{\"order\":1,\"customer\":\"c2\"}\n{\"order\":2,\"customer\":\"c3\"}\n{\"order\":3,\"customer\":\"c1\"}\n");

        await run.RunAsync("""
            version: 1
            pipelines:
              - name: enrich
                source: { type: file, settings: { path: orders.jsonl }, format: json }
                transforms:
                  - enrich: { path: customers.csv, format: csv, key: customer, tableKey: id, into: c, onMissing: drop }
                sinks:
                  - type: file
                    settings: { path: out.jsonl }
                    format: json
            """);

        Assert.Equal(
            "{\"order\":1,\"customer\":\"c2\",\"c\":{\"id\":\"c2\",\"name\":\"Bob, Jr.\",\"country\":\"FR\"}}\n" +
            "{\"order\":3,\"customer\":\"c1\",\"c\":{\"id\":\"c1\",\"name\":\"Ann\",\"country\":\"DE\"}}\n",
            run.Read("out.jsonl"));
    }
}
