using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Perf.Workloads.W3Ndjson;

/// <summary>
/// The per-record steps every engine peer of W3 runs (DataWeaver as struct operators, the others as delegates); the
/// scale and the rename are made by the writer (<see cref="OrderRewriter"/>).
/// </summary>
internal static class OrderSteps
{
    /// <summary>Parse: checks the whole line (well-formed JSON object, valid UTF-8) and wraps its bytes without copying.</summary>
    public static JsonRecord Parse(ReadOnlyMemory<byte> line) => JsonRecord.Parse(line);

    /// <summary>Filter: qty &gt; 2.</summary>
    public static bool Keep(JsonRecord order) => order.TryGetInt64(OrderJson.QtyPath, out var qty) && OrderJson.IsKept(qty);
}

internal readonly struct ParseOrder : IMapOperator<ReadOnlyMemory<byte>, JsonRecord>
{
    public JsonRecord Map(ReadOnlyMemory<byte> value) => OrderSteps.Parse(value);
}

internal readonly struct KeepOrder : IFilterOperator<JsonRecord>
{
    public bool Include(JsonRecord value) => OrderSteps.Keep(value);
}
