using DataWeaver.Cli.Tests.Infrastructure;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Cli.Tests.Convert;

public sealed class ConvertCsvTests : IDisposable
{
    private const string Schema = """
        {"type": "record", "name": "Order", "namespace": "shop", "fields": [
          {"name": "id", "type": "long"},
          {"name": "customer", "type": ["null", "string"]},
          {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
          {"name": "paid", "type": "boolean"},
          {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
          {"name": "ratio", "type": "float"},
          {"name": "tags", "type": {"type": "array", "items": "string"}},
          {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "SHIPPED"]}},
          {"name": "note", "type": "string", "default": "none"}
        ]}
        """;

    private const string Csv = """""
        id,customer,amount,paid,at,ratio,tags,status
        1,ann,12.50,true,2024-05-01T10:00:00.123Z,0.5,"[""a"",""b, c""]",NEW
        2,,-0.01,false,1969-12-31T23:59:59.999Z,NaN,[],SHIPPED
        3,"quote "" and, comma",1000000.00,true,2024-05-01T10:00:00.000Z,-Infinity,"[""""]",NEW

        """"";

    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Convert_CsvToAvro_ConvertsEachCellPerTheFieldTypeAndDefaultsMissingColumns()
    {
        _folder.Write("orders.csv", Csv);
        _folder.Write("orders.avsc", Schema);

        var result = await _folder.Cli().RunAsync("convert", "orders.csv", "orders.avro", "--schema", "orders.avsc");

        Assert.True(result.ExitCode == 0, result.ToString());
        var records = Read("orders.avro");
        Assert.Equal(3, records.Count);
        Assert.Equal(1L, records[0]["id"]);
        Assert.Equal("ann", records[0]["customer"]);
        Assert.Equal(12.50m, records[0]["amount"]);
        Assert.Equal(true, records[0]["paid"]);
        Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 0, 123, DateTimeKind.Utc), records[0]["at"]);
        Assert.Equal(0.5f, records[0]["ratio"]);
        Assert.Equal(new List<object?> { "a", "b, c" }, records[0]["tags"]);
        Assert.Equal("NEW", ((GenericEnum)records[0]["status"]!).Symbol);
        Assert.Equal("none", records[0]["note"]);
        Assert.Null(records[1]["customer"]);
        Assert.Equal(-0.01m, records[1]["amount"]);
        Assert.True(float.IsNaN((float)records[1]["ratio"]!));
        Assert.Equal("quote \" and, comma", records[2]["customer"]);
        Assert.Equal(new List<object?> { string.Empty }, records[2]["tags"]);
    }

    [Fact]
    public async Task Convert_CsvToAvroToCsv_GivesTheSameTextWithTheSchemasColumns()
    {
        _folder.Write("orders.csv", Csv);
        _folder.Write("orders.avsc", Schema);
        var cli = _folder.Cli();

        Assert.Equal(0, (await cli.RunAsync("convert", "orders.csv", "orders.avro", "-s", "orders.avsc")).ExitCode);
        var result = await cli.RunAsync("convert", "orders.avro", "again.csv");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "id,customer,amount,paid,at,ratio,tags,status,note",
                "1,ann,12.50,true,2024-05-01T10:00:00.123Z,0.5,\"[\"\"a\"\",\"\"b, c\"\"]\",NEW,none",
                "2,,-0.01,false,1969-12-31T23:59:59.999Z,NaN,[],SHIPPED,none",
                "3,\"quote \"\" and, comma\",1000000.00,true,2024-05-01T10:00:00.000Z,-Infinity,\"[\"\"\"\"]\",NEW,none",
            ],
            File.ReadAllLines(_folder["again.csv"]));
    }

    [Fact]
    public async Task Convert_CsvAndJsonLinesWithoutSchema_ConvertFieldByFieldAsText()
    {
        _folder.Write("rows.jsonl", """
            {"id":1,"name":"ann","tags":["x"],"missing":null}
            {"name":"bob","id":2}

            """);
        var cli = _folder.Cli();

        Assert.Equal(0, (await cli.RunAsync("convert", "rows.jsonl", "rows.csv")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("convert", "rows.csv", "rows-again.jsonl")).ExitCode);

        Assert.Equal(["id,name,tags,missing", "1,ann,\"[\"\"x\"\"]\",", "2,bob,,"], File.ReadAllLines(_folder["rows.csv"]));
        Assert.Equal(
            ["{\"id\":\"1\",\"name\":\"ann\",\"tags\":\"[\\\"x\\\"]\",\"missing\":\"\"}", "{\"id\":\"2\",\"name\":\"bob\",\"tags\":\"\",\"missing\":\"\"}"],
            File.ReadAllLines(_folder["rows-again.jsonl"]));
    }

    [Fact]
    public async Task Convert_CellThatDoesNotFit_FailsNamingRowAndColumnAndLeavesNoOutput()
    {
        _folder.Write("orders.csv", Csv.Replace("1000000.00", "12.345", StringComparison.Ordinal));
        _folder.Write("orders.avsc", Schema);

        var result = await _folder.Cli().RunAsync("convert", "orders.csv", "orders.avro", "--schema", "orders.avsc");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(
            ["error: pipeline 'convert' failed: data error in stage 'decode:csv': DataWeaverException: row 3, column 'amount': $.amount: \"12.345\" has more than the 2 decimal places of the schema"],
            result.ErrorLines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)));
        Assert.StartsWith("convert: failed in ", result.ErrorLines[0], StringComparison.Ordinal); // the summary, on standard error too
        Assert.False(File.Exists(_folder["orders.avro"]));
        Assert.False(File.Exists(_folder["orders.avro.partial"]));
    }

    public void Dispose() => _folder.Dispose();

    private List<GenericRecord> Read(string file)
    {
        using var reader = AvroContainerReader.Open(File.OpenRead(_folder[file]));
        Assert.Equal(AvroSchema.Parse(Schema).CanonicalForm, reader.WriterSchema.CanonicalForm);
        return [.. reader.Read<GenericRecord>()];
    }
}
