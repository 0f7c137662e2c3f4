using System.Text.Json.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Perf.Workloads.W3Ndjson;

/// <summary>What W3 does to each record: keep qty &gt; 2, scale amount by 1.1, rename qty to quantity.</summary>
internal static class OrderJson
{
    public const double Scale = 1.1;

    public static readonly JsonFieldPath QtyPath = JsonFieldPath.Parse("qty");

    public static ReadOnlySpan<byte> Amount => "amount"u8;

    public static ReadOnlySpan<byte> Qty => "qty"u8;

    public static ReadOnlySpan<byte> Quantity => "quantity"u8;

    public static bool IsKept(long qty) => qty > 2;
}

/// <summary>The input record as a typed object (the <c>jsonserializer-object</c> peer).</summary>
internal sealed record OrderIn(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("amount")] double Amount,
    [property: JsonPropertyName("qty")] int Qty,
    [property: JsonPropertyName("country")] string Country,
    [property: JsonPropertyName("ts")] long Ts);

/// <summary>The output record as a typed object: amount scaled, qty renamed to quantity.</summary>
internal sealed record OrderOut(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("amount")] double Amount,
    [property: JsonPropertyName("quantity")] int Quantity,
    [property: JsonPropertyName("country")] string Country,
    [property: JsonPropertyName("ts")] long Ts);

/// <summary>Source-generated metadata: the fastest way to use JsonSerializer.</summary>
[JsonSerializable(typeof(OrderIn))]
[JsonSerializable(typeof(OrderOut))]
internal sealed partial class OrderJsonContext : JsonSerializerContext;
