using DataWeaver.Formats.Csv;
using DataWeaver.Formats.Tests.Support;
using static DataWeaver.Formats.Tests.Files.FileConnectorTests;

namespace DataWeaver.Formats.Tests.Csv;

public sealed class CsvFormatTests
{
    private const string Orders = "id,customer,amount,note\n1,ada,12.5,\"says \"\"hi\"\", twice\"\n2,bob,7,\"two\nlines\"\n";

    [Fact]
    public async Task RunAsync_CsvToCsv_RoundTripsQuotingAndLineBreaks()
    {
        using var run = new DefinitionRun(r => r.AddCsv());
        run.Write("in.csv", Orders);
        await run.RunAsync(Pipeline("{ type: file, format: csv, settings: { path: in.csv } }", "{ type: file, format: csv, settings: { path: out.csv } }"));
        Assert.Equal(Orders, run.Read("out.csv"));
    }

    [Fact]
    public async Task RunAsync_TypedColumns_BecomeJsonNumbersAndBack()
    {
        using var run = new DefinitionRun(r => r.AddCsv());
        run.Write("in.csv", "id;amount;ok;tags\n1;12.5;true;[1,2]\n2;;0;{}\n");
        await run.RunAsync(Pipeline(
            "{ type: file, format: { type: csv, settings: { delimiter: ';', columns: { id: integer, amount: number, ok: boolean, tags: json } } }, settings: { path: in.csv } }",
            "{ type: file, format: json, settings: { path: out.jsonl } }"));
        Assert.Equal("{\"id\":1,\"amount\":12.5,\"ok\":true,\"tags\":[1,2]}\n{\"id\":2,\"amount\":null,\"ok\":false,\"tags\":{}}\n", run.Read("out.jsonl"));

        await run.RunAsync(Pipeline("{ type: file, format: json, settings: { path: out.jsonl } }", "{ type: file, format: csv, settings: { path: back.csv } }"));
        Assert.Equal("id,amount,ok,tags\n1,12.5,true,\"[1,2]\"\n2,,false,{}\n", run.Read("back.csv"));
    }

    [Fact]
    public async Task RunAsync_JsonToCsv_WritesEachValueInItsColumnWhateverTheFieldOrderAndEscaping()
    {
        using var run = new DefinitionRun(r => r.AddCsv());
        run.Write("in.jsonl", """
            {"a":"x","b":1,"c":null,"d":{"k":[1,"\""]}}
            {"c":"","b":-2.5e3,"a":"q\"uote\u00e9\nline","d":true}
            {"d":[],"a":"plain"}
            {"a":"\u0041","b":"","c":"tail","d":false}

            """);
        await run.RunAsync(Pipeline("{ type: file, format: json, settings: { path: in.jsonl } }", "{ type: file, format: csv, settings: { path: out.csv } }"));
        Assert.Equal("""""
            a,b,c,d
            x,1,,"{""k"":[1,""\""""]}"
            "q""uoteé
            line",-2.5e3,,true
            plain,,,[]
            A,,tail,false

            """"".Replace("\r", "", StringComparison.Ordinal), run.Read("out.csv"));
    }

    [Fact]
    public async Task RunAsync_BadRows_GoToDeadLettersNamingRowAndOffset()
    {
        using var run = new DefinitionRun(r => r.AddCsv());
        run.Write("in.csv", "id,n\n1,10\n2,x\n3\n4,40\n");
        await run.RunAsync(Pipeline(
            "{ type: file, format: { type: csv, settings: { columns: { n: integer } } }, settings: { path: in.csv } }",
            "{ type: file, settings: { path: out.jsonl } }",
            deadLetter: "{ type: file, settings: { path: dead.jsonl } }"));
        Assert.Equal("{\"id\":\"1\",\"n\":10}\n{\"id\":\"4\",\"n\":40}\n", run.Read("out.jsonl"));
        var letters = DeadLetters.Messages(run.Read("dead.jsonl"));
        Assert.Equal(2, letters.Count);
        Assert.Contains("in.csv row 2 (byte offset 10): the column 'n' is integer, but the cell is 'x'", letters[0], StringComparison.Ordinal);
        Assert.Contains("in.csv row 3 (byte offset 14): 1 fields, but there are 2 columns", letters[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadDelimiterAndColumnType_NameTheKeys()
    {
        using var run = new DefinitionRun(r => r.AddCsv());
        var errors = run.Validate(Pipeline("{ type: file, format: { type: csv, settings: { delimiter: '::', columns: { a: long } } }, settings: { path: in.csv } }", "{ type: discard }"));
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Path.EndsWith("delimiter", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path.EndsWith("columns.a", StringComparison.Ordinal) && e.Message.Contains("'long'", StringComparison.Ordinal));
    }
}
