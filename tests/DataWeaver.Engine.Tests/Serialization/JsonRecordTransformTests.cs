using System.Text;
using DataWeaver.Buffers;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Serialization;

public sealed class JsonRecordTransformTests
{
    private static string Apply(JsonRecordTransform transform, string json) => transform.Apply(JsonRecord.Parse(json)).ToString();

    [Fact]
    public void Apply_SetRenameDrop_OnePass()
    {
        var transform = JsonRecordTransform.CreateBuilder()
            .Set("status", "shipped")
            .Rename("cust", "customer")
            .Drop("secret")
            .Build();

        var result = Apply(transform, """{"id":7,"status":"new","cust":{"name":"Ada"},"secret":"pw","n":[1, 2]}""");

        Assert.Equal("""{"id":7,"status":"shipped","customer":{"name":"Ada"},"n":[1, 2]}""", result);
    }

    [Fact]
    public void Apply_SetMissingField_AppendsIt()
    {
        var transform = JsonRecordTransform.CreateBuilder()
            .Set("a", 1L).Set("b", 2.5).Set("c", 3.10m).Set("d", true).Set("e", JsonFieldValue.Null).Set("f", JsonFieldValue.FromJson("""{"x":[1,{"y":null}]}"""))
            .Build();

        Assert.Equal("""{"z":0,"a":1,"b":2.5,"c":3.10,"d":true,"e":null,"f":{"x":[1,{"y":null}]}}""", Apply(transform, """{"z":0}"""));
    }

    [Fact]
    public void Apply_NestedPaths_ChangeOnlyThatObject()
    {
        var transform = JsonRecordTransform.CreateBuilder()
            .Set("customer.address.country", "FR")
            .Rename("customer.name", "fullName")
            .Drop("customer.address.zip")
            .Build();

        var result = Apply(transform, """{"name":"top","customer":{"name":"Ada","address":{"city":"Paris","zip":"75001"}}}""");

        Assert.Equal("""{"name":"top","customer":{"fullName":"Ada","address":{"city":"Paris","country":"FR"}}}""", result);
    }

    [Fact]
    public void Apply_SetUnderMissingObjects_CreatesThem()
    {
        var transform = JsonRecordTransform.CreateBuilder().Set("meta.source.name", "orders").Drop("meta.old").Build();

        Assert.Equal("""{"id":1,"meta":{"source":{"name":"orders"}}}""", Apply(transform, """{"id":1}"""));
    }

    [Fact]
    public void Apply_PathThroughNonObject_LeavesItAlone()
    {
        var transform = JsonRecordTransform.CreateBuilder().Set("a.b", 1L).Build();

        Assert.Equal("""{"a":[1]}""", Apply(transform, """{"a":[1]}"""));
    }

    [Fact]
    public void Apply_RenameOntoExistingName_DropFirstToReplace()
    {
        var transform = JsonRecordTransform.CreateBuilder().Drop("name").Rename("fullName", "name").Build();

        Assert.Equal("""{"name":"Ada L","x":1}""", Apply(transform, """{"name":"Ada","fullName":"Ada L","x":1}"""));
    }

    [Fact]
    public void Apply_DuplicateNames_SetKeepsOneDropRemovesAll()
    {
        var transform = JsonRecordTransform.CreateBuilder().Set("a", 9L).Drop("b").Build();

        Assert.Equal("""{"a":9,"c":3}""", Apply(transform, """{"a":1,"b":2,"a":4,"b":5,"c":3}"""));
    }

    [Fact]
    public void Apply_EscapesAndNonAscii_KeptAsText()
    {
        var transform = JsonRecordTransform.CreateBuilder().Set("note", "Zoë \"quoted\"\n").Build();

        var result = Apply(transform, """{"caf\u00e9":"na\u00efve","k\"ey":"v"}""");

        Assert.Equal("""{"café":"na\u00efve","k\"ey":"v","note":"Zoë \"quoted\"\n"}""", result);
    }

    [Fact]
    public void Apply_IntoPooledWriter_AllocatesNothingWhenWarm()
    {
        var transform = JsonRecordTransform.CreateBuilder().Set("status", "ok").Rename("a", "b").Drop("c").Build();
        var record = JsonRecord.Parse("""{"a":1,"c":{"deep":[1,2,3]},"status":"new","d":"text"}""");
        using var output = new PooledBufferWriter(1024);
        transform.Apply(record, output);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            output.Clear();
            transform.Apply(record, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("""{"b":1,"status":"ok","d":"text"}""", Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.True(JsonRecord.Parse(output.WrittenMemory).TryGetString("status", out string? status));
        Assert.Equal("ok", status);
    }

    [Fact]
    public void Apply_ManyThreads_SameResult()
    {
        var transform = JsonRecordTransform.CreateBuilder().Set("t", "x").Build();

        Parallel.For(0, 1_000, i =>
            Assert.Equal($$"""{"i":{{i}},"t":"x"}""", Apply(transform, $$"""{"i":{{i}}}""")));
    }

    [Fact]
    public void Builder_ConflictingOperations_Throw()
    {
        Assert.Throws<ArgumentException>(() => JsonRecordTransform.CreateBuilder().Set("a", 1L).Drop("a"));
        Assert.Throws<ArgumentException>(() => JsonRecordTransform.CreateBuilder().Drop("a").Set("a.b", 1L));
        Assert.Throws<ArgumentException>(() => JsonRecordTransform.CreateBuilder().Set("a.b", 1L).Set("a", 2L));
        Assert.Throws<ArgumentException>(() => JsonRecordTransform.CreateBuilder().Set("a..b", 1L));
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonFieldValue.FromDouble(double.NaN));
        Assert.Throws<ArgumentException>(() => JsonFieldValue.FromJson("{\"a\":"));
        Assert.Throws<ArgumentException>(() => JsonFieldValue.FromJson("1 2"));
    }

    [Fact]
    public void Builder_RenameWithNestedSet_AppliesBoth()
    {
        var transform = JsonRecordTransform.CreateBuilder().Rename("c", "customer").Set("c.tier", "gold").Build();

        Assert.Equal("""{"customer":{"n":1,"tier":"gold"}}""", Apply(transform, """{"c":{"n":1}}"""));
    }

    [Fact]
    public void Build_Twice_Throws()
    {
        var builder = JsonRecordTransform.CreateBuilder().Drop("a");
        builder.Build();

        Assert.Throws<InvalidOperationException>(() => builder.Drop("b"));
    }
}
