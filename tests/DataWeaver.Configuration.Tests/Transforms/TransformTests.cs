using DataWeaver.Configuration.Tests.Support;
using DataWeaver.Errors;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Tests.Transforms;

/// <summary>The built-in transforms, run in real pipelines from in-memory records to a capturing sink.</summary>
public sealed class TransformTests
{
    private static string File(string records, string transforms, string extra = "") => $$"""
        version: 1
        pipelines:
          - name: t
            source:
              type: memory
              settings:
                records: {{records}}
            transforms:
        {{transforms}}
        {{extra}}
            sinks: [{ type: capture }]
        """;

    private const string Orders = """[{ id: 1, amount: 50, country: DE, name: ann }, { id: 2, amount: 150, country: US, name: bob }, { id: 3, amount: 250.5, country: JP }, { id: 4, amount: "300", country: FR, name: null }]""";

    [Theory]
    [InlineData("{ field: amount, op: \">=\", value: 150 }", new[] { 2, 3 })]
    [InlineData("{ field: amount, op: \"<\", value: 150 }", new[] { 1 })]
    [InlineData("{ field: amount, op: \"==\", value: 50 }", new[] { 1 })]
    [InlineData("{ field: amount, op: \"!=\", value: 50 }", new[] { 2, 3, 4 })]
    [InlineData("{ field: country, value: US }", new[] { 2 })]
    [InlineData("{ field: country, op: in, value: [DE, FR] }", new[] { 1, 4 })]
    [InlineData("{ field: country, op: not-in, value: [DE, FR] }", new[] { 2, 3 })]
    [InlineData("{ field: name, op: exists }", new[] { 1, 2 })]
    [InlineData("{ field: name, op: exists, value: false }", new[] { 3, 4 })]
    [InlineData("{ field: name, op: \"==\", value: null }", new[] { 3, 4 })]
    [InlineData("{ field: name, op: contains, value: o }", new[] { 2 })]
    [InlineData("{ field: name, op: startsWith, value: an }", new[] { 1 })]
    [InlineData("{ field: name, op: endsWith, value: b }", new[] { 2 })]
    [InlineData("{ field: country, op: \">\", value: E }", new[] { 2, 3, 4 })]
    [InlineData("{ all: [{ field: amount, op: \">\", value: 100 }, { field: country, op: \"!=\", value: JP }] }", new[] { 2 })]
    [InlineData("{ any: [{ field: id, value: 1 }, { field: id, value: 3 }] }", new[] { 1, 3 })]
    [InlineData("{ not: { field: id, op: in, value: [1, 2] } }", new[] { 3, 4 })]
    public async Task Filter_Condition_KeepsExactlyTheMatchingRecords(string condition, int[] expectedIds)
    {
        var lines = await new Capture().RunAsync(File(Orders, $"      - filter: {condition}"));

        Assert.Equal(expectedIds.Select(id => $"{{\"id\":{id},"), lines.Select(l => l[..(l.IndexOf(',', StringComparison.Ordinal) + 1)]));
    }

    [Fact]
    public async Task SetAndLookup_ConstantsWithQuotesControlAndNonAscii_WrittenAsTheWriterEscapesThem()
    {
        var lines = await new Capture().RunAsync(File(
            """[{ id: 1, country: DE }, { id: 2, country: JP }]""",
            """
                  - set: { field: note, value: "say \"hi\"\tà <b> & é" }
                  - lookup: { field: country, to: region, values: { DE: "Europe \"EU\" ü" }, default: "\u0001other" }
            """));

        Assert.Equal(
            [
                """{"id":1,"country":"DE","note":"say \"hi\"\tà <b> & é","region":"Europe \"EU\" ü"}""",
                """{"id":2,"country":"JP","note":"say \"hi\"\tà <b> & é","region":"\u0001other"}""",
            ],
            lines);
    }

    [Fact]
    public async Task Set_ValueFromTemplateAndWhen_WritesTheFields()
    {
        var lines = await new Capture().RunAsync(File(
            """[{ id: 1, amount: 50, customer: { name: ann } }, { id: 2, amount: 500, customer: { name: bob } }]""",
            """
                  - set: { field: source, value: shop }
                  - set: { field: copy, from: amount }
                  - set: { field: label, template: "{customer.name}#{id} {{literal}} {missing}" }
                  - set: { field: big, value: true, when: { field: amount, op: ">=", value: 100 }, otherwise: false }
                  - set: { field: customer.tier, value: { level: 2, tags: [a, b] } }
                  - set: { field: onlyBig, value: yes, when: { field: amount, op: ">=", value: 100 } }
            """));

        AssertLines(
        [
            """{"id":1,"amount":50,"customer":{"name":"ann","tier":{"level":2,"tags":["a","b"]}},"source":"shop","copy":50,"label":"ann#1 {literal} ","big":false}""",
            """{"id":2,"amount":500,"customer":{"name":"bob","tier":{"level":2,"tags":["a","b"]}},"source":"shop","copy":500,"label":"bob#2 {literal} ","big":true,"onlyBig":"yes"}""",
        ], lines);
    }

    [Fact]
    public async Task RenameDropLookup_InOrder_SeeEachOthersResults()
    {
        var lines = await new Capture().RunAsync(File(
            """[{ id: 1, amount: 5, country: DE, note: x, meta: { a: 1, b: 2 } }, { id: 2, amount: 7, country: XX }]""",
            """
                  - lookup: { field: country, to: region, values: { DE: EMEA, US: AMER }, default: OTHER }
                  - rename: { from: amount, to: total }
                  - set: { field: doubled, from: total }
                  - drop: [note, meta.b]
                  - drop: country
                  - lookup: { field: region, values: { EMEA: 1 } }
            """));

        AssertLines(
        [
            """{"id":1,"total":5,"meta":{"a":1},"region":1,"doubled":5}""",
            """{"id":2,"total":7,"region":"OTHER","doubled":7}""",
        ], lines);
    }

    [Fact]
    public async Task Cast_EveryTarget_Converts()
    {
        var lines = await new Capture().RunAsync(File(
            """[{ a: "42", b: 3.9, c: 7, d: "true", e: 1700000000000, f: "x1", g: null }]""",
            """
                  - cast: { field: a, to: int }
                  - cast: { field: b, to: long }
                  - cast: { field: c, to: string }
                  - cast: { field: d, to: bool }
                  - cast: { field: e, to: timestamp }
                  - cast: { field: g, to: int }
                  - cast: { field: missing, to: int }
            """));

        AssertLines(["""{"a":42,"b":3,"c":"7","d":true,"e":"2023-11-14T22:13:20.000Z","f":"x1","g":null}"""], lines);
    }

    [Fact]
    public async Task Cast_BadValue_IsADataErrorTheErrorPolicySkips()
    {
        var lines = await new Capture().RunAsync(File(
            """[{ id: 1, qty: "3" }, { id: 2, qty: "three" }, { id: 3, qty: 4 }]""",
            "      - cast: { field: qty, to: int }",
            "    errors: { onFailure: skip }"));

        AssertLines(["""{"id":1,"qty":3}""", """{"id":3,"qty":4}"""], lines);
    }

    [Fact]
    public async Task Cast_BadValueWithDefaultPolicy_FailsTheRunWithADataError()
    {
        var exception = await Assert.ThrowsAsync<DataWeaverException>(() => new Capture().RunAsync(File(
            """[{ id: 1, qty: "three" }]""",
            "      - cast: { field: qty, to: int }")));

        Assert.Equal(ErrorClass.Data, exception.ErrorClass);
        Assert.Equal("The field 'qty' (three) cannot be converted to int.", exception.Message);
    }

    [Fact]
    public async Task Timestamp_FormatsAndNow_Convert()
    {
        var lines = await new Capture().RunAsync(File(
            """[{ ms: 1700000000123, s: 1700000000, iso: "2023-11-14T23:13:20+01:00", auto: "2023-11-14T22:13:20Z" }]""",
            """
                  - timestamp: { field: ms, format: unix-ms }
                  - timestamp: { field: s, format: unix-s, to: unix-ms }
                  - timestamp: { field: iso, format: iso8601, to: unix-s }
                  - timestamp: { field: auto }
                  - timestamp: { field: stamped, now: true }
                  - timestamp: { field: stampedMs, now: true, to: unix-ms }
            """), time: FixedClock.NewYear2026);

        AssertLines(["""{"ms":"2023-11-14T22:13:20.123Z","s":1700000000000,"iso":1700000000,"auto":"2023-11-14T22:13:20.000Z","stamped":"2026-01-01T00:00:00.000Z","stampedMs":1767225600000}"""], lines);
    }

    [Fact]
    public void Compile_IndependentFieldOperations_ShareOnePass()
    {
        var file = PipelineDefinitionLoader.Parse(File(Orders, """
                  - set: { field: a, value: 1 }
                  - set: { field: b, from: amount }
                  - drop: [name]
                  - rename: { from: a, to: c }
                  - filter: { field: c, value: 1 }
                  - set: { field: d, value: 2 }
            """), "pipeline.yaml", new PipelineLoadOptions { Registry = new Capture().Registry });
        var factory = new PipelineFactory(new Capture().Registry);

        var graph = factory.Create(file.Pipelines[0]).Describe();

        // set a, set b and drop name touch different fields: one pass. The rename writes a, set before: a second pass.
        Assert.Equal(["set a, set b, drop name#1", "rename a->c#2", "filter#3", "set d#4"], graph.TransformBlocks.Single().Operators);
    }

    /// <summary>Compares lines as one text, so a failure shows the whole difference.</summary>
    private static void AssertLines(IEnumerable<string> expected, IEnumerable<string> actual) =>
        Assert.Equal(string.Join('\n', expected), string.Join('\n', actual));

    [Fact]
    public void Compile_Quickstart_RunsEveryFieldOperationInOnePass()
    {
        var file = PipelineDefinitionLoader.Load(Path.Combine(TestFolder.RepositoryRoot(), "samples", "config", "quickstart.yaml"), new PipelineLoadOptions { Environment = Env.Empty });

        var graph = new PipelineFactory().Create(file["quickstart"]).Describe();

        Assert.Equal(["filter#1", "lookup country->region, set priority, rename amount->total, drop country, timestamp processedAt=now#2"], graph.TransformBlocks.Single().Operators);
        Assert.Equal(2, graph.TransformBlocks.Single().DegreeOfParallelism);
    }

    [Fact]
    public async Task Parallelism_WithoutTransforms_StillRuns()
    {
        var lines = await new Capture().RunAsync(File("[{ a: 1 }, { a: 2 }, { a: 3 }]", "      []", "    parallelism: { degree: 3, ordering: unordered }"));

        Assert.Equal(["""{"a":1}""", """{"a":2}""", """{"a":3}"""], lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ComputedSet_EngineTransform_SeesTheInputAndNullLeavesTheFieldAlone()
    {
        // The engine's computed Set (added for these transforms): values come from the record before the transform.
        var transform = JsonRecordTransform.CreateBuilder()
            .Rename("a", "b")
            .Set(JsonFieldPath.Parse("copyOfA"), r => r.TryGetInt64("a", out var a) ? JsonFieldValue.FromInt64(a * 10) : null)
            .Set(JsonFieldPath.Parse("keep"), _ => null)
            .Set(JsonFieldPath.Parse("absent"), _ => null)
            .Build();

        Assert.Equal("""{"b":1,"keep":"x","copyOfA":10}""", transform.Apply(JsonRecord.Parse("""{"a":1,"keep":"x"}""")).ToString());
        Assert.Equal("""{"keep":"x"}""", transform.Apply(JsonRecord.Parse("""{"keep":"x"}""")).ToString());
    }

    [Fact]
    public async Task Set_NestedWhenNotMatching_DoesNotCreateTheParentObject()
    {
        var lines = await new Capture().RunAsync(File(
            "[{ id: 1, amount: 5 }, { id: 2, amount: 500 }]",
            "      - set: { field: customer.tier, value: gold, when: { field: amount, op: \">\", value: 100 } }"));

        Assert.Equal(["""{"id":1,"amount":5}""", """{"id":2,"amount":500,"customer":{"tier":"gold"}}"""], lines);
    }

    [Fact]
    public void FromObject_Dictionaries_BecomeMappings()
    {
        var value = ConfigValue.FromObject(new System.Collections.Hashtable { ["n"] = 1 });

        Assert.Equal("""{"n":1}""", value.ToJson());
        Assert.Equal("""{"d":"1500ms","l":[1,"x",true,null]}""", ConfigValue.FromObject(new Dictionary<string, object?> { ["d"] = TimeSpan.FromSeconds(1.5), ["l"] = new object?[] { 1, "x", true, null } }).ToJson());
    }
}
