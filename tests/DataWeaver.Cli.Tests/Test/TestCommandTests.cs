using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Test;

/// <summary>Issue 11, build 2: <c>dataweaver test FILE</c> runs a definition's pipelines on given records and checks the output.</summary>
public sealed class TestCommandTests : IDisposable
{
    private const string Orders = """
        version: 1
        pipelines:
          - name: orders
            source: { type: json-lines-file, settings: { path: input.jsonl } }
            transforms:
              - filter: { field: amount, op: ">=", value: 100 }
              - rename: { from: amount, to: total }
              - cast: { field: qty, to: int }
            errors:
              onFailure: dead-letter
              deadLetter: { type: json-lines-file, settings: { path: out/dead.jsonl } }
            sinks:
              - { name: big, type: json-lines-file, settings: { path: out/big.jsonl } }
        """;

    private readonly TestFolder _folder = new();

    public TestCommandTests()
    {
        _folder.Write("jobs/orders.yaml", Orders);
    }

    [Fact]
    public async Task Test_OutputAsExpected_PrintsPassExits0AndTouchesNoFile()
    {
        _folder.Write("jobs/orders.test.yaml", """
            definition: orders.yaml
            tests:
              - name: big orders are kept and renamed
                input:
                  - { id: 1, amount: 150, qty: "2" }
                  - { id: 2, amount: 5, qty: "1" }
                  - { id: 3, amount: 100, qty: "x" }
                output:
                  - { id: 1, total: 150, qty: 2 }
                deadLetters: 1
            """);

        var result = await _folder.Cli().RunAsync("test", "jobs/orders.test.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["PASS big orders are kept and renamed (pipeline orders)", "1 test: 1 passed, 0 failed"], result.OutLines);
        Assert.False(Directory.Exists(_folder["jobs/out"])); // the sinks were replaced: nothing written
        Assert.False(File.Exists(_folder["jobs/input.jsonl"]));
    }

    [Fact]
    public async Task Test_OutputDiffers_PrintsAReadableDiffAndExits1()
    {
        _folder.Write("jobs/orders.test.yaml", """
            definition: orders.yaml
            tests:
              - name: passes
                input: [{ id: 1, amount: 150, qty: "2" }]
                output: { big: [{ id: 1, total: 150, qty: 2 }] }
              - name: fails
                input:
                  - { id: 1, amount: 150, qty: "2" }
                  - { id: 2, amount: 300, qty: "3" }
                output:
                  big:
                    - { id: 1, amount: 150, qty: 2 }
                deadLetters: 1
            """);

        var result = await _folder.Cli().RunAsync("test", "jobs/orders.test.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [
                "PASS passes (pipeline orders)",
                "FAIL fails (pipeline orders)",
                "  sink 'big': expected 1 record, got 2",
                "  sink 'big': record 1 differs ('amount' missing; 'total' not expected):",
                "      - {\"id\":1,\"amount\":150,\"qty\":2}",
                "      + {\"id\":1,\"total\":150,\"qty\":2}",
                "  sink 'big': record 2 not expected:",
                "      + {\"id\":2,\"total\":300,\"qty\":3}",
                "  expected 1 dead letter, got 0",
                "2 tests: 1 passed, 1 failed",
            ],
            result.OutLines);
    }

    [Fact]
    public async Task Test_UnknownSinkName_FailsNamingTheSinks()
    {
        _folder.Write("t.yaml", """
            definition: jobs/orders.yaml
            tests:
              - input: [{ id: 1, amount: 150, qty: "2" }]
                output: { bigg: [] }
            """);

        var result = await _folder.Cli().RunAsync("test", "t.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["FAIL test 1 (pipeline orders)", "  the pipeline has no sink named 'bigg'; its sinks: big", "1 test: 0 passed, 1 failed"], result.OutLines);
    }

    [Theory]
    [InlineData("definition: jobs/orders.yaml\n", "t.yaml:1:1: 'tests' must be a list of at least one test.")]
    [InlineData("definition: jobs/orders.yaml\ntests:\n  - input: [{ id: 1 }]\n    outptu: []\n", "t.yaml:4:5: unknown key 'outptu'; allowed here: name, pipeline, input, output, deadLetters.")]
    [InlineData("tests: [{ input: [] }]\n", "t.yaml:1:1: 'definition' is required.")]
    public async Task Test_InvalidTestFile_Exits2WithThePosition(string text, string error)
    {
        _folder.Write("t.yaml", text);

        var result = await _folder.Cli().RunAsync("test", "t.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([error], result.ErrorLines);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Test_DefinitionInvalid_Exits2WithItsErrors()
    {
        _folder.Write("jobs/bad.yaml", Orders.Replace("type: json-lines-file, settings: { path: input.jsonl }", "type: json-lines-fil, settings: { path: input.jsonl }", StringComparison.Ordinal));
        _folder.Write("t.yaml", "definition: jobs/bad.yaml\ntests: [{ input: [] }]\n");

        var result = await _folder.Cli().RunAsync("test", "t.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("jobs/bad.yaml:4:21: pipelines[0].source.type: Unknown source 'json-lines-fil'", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
