using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Avro;

public sealed class AvroCodegenCommandTests : IDisposable
{
    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Codegen_TwoFilesWithReference_WritesClassesAndExits0()
    {
        _folder.Write("status.avsc", """{"type":"enum","name":"Status","namespace":"shop","symbols":["NEW","PAID"]}""");
        _folder.Write("order.avsc", """{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"status","type":"shop.Status"},{"name":"hash","type":{"type":"fixed","name":"Hash","size":2}}]}""");

        var result = await _folder.Cli().RunAsync("avro", "codegen", "status.avsc", "order.avsc", "-o", "gen", "--namespace", "shop=Shop.Records");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["gen/Shop/Records/Hash.cs", "gen/Shop/Records/Order.cs", "gen/Shop/Records/Status.cs"], result.OutLines);
        var order = File.ReadAllText(_folder["gen/Shop/Records/Order.cs"]);
        Assert.Contains("public partial class Order : global::Avro.Specific.ISpecificRecord", order, StringComparison.Ordinal);
        Assert.Contains("public Shop.Records.Status status", order, StringComparison.Ordinal);
        Assert.Contains("public enum Status", File.ReadAllText(_folder["gen/Shop/Records/Status.cs"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Codegen_InvalidSchema_PrintsProblemAndExits2()
    {
        _folder.Write("bad.avsc", """{"type":"record","name":"Bad","fields":[{"name":"x","type":"nope"}]}""");

        var result = await _folder.Cli().RunAsync("avro", "codegen", "bad.avsc", "-o", "gen");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nope", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder["gen"]));
    }

    [Fact]
    public async Task Codegen_MissingFile_Exits2()
    {
        var result = await _folder.Cli().RunAsync("avro", "codegen", "missing.avsc", "-o", "gen");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("missing.avsc: no such file", result.Error.Trim());
    }

    public void Dispose() => _folder.Dispose();
}
