using System.Text.Json;
using System.Text.Json.Serialization;

namespace Quickstart;

/// <summary>An order as it arrives.</summary>
public sealed record Order(long Id, string Customer, string Country, decimal Amount, int Quantity);

/// <summary>An order after enrichment.</summary>
public sealed record EnrichedOrder(long Id, string Customer, string Region, decimal Total, bool Priority);

/// <summary>Source-generated JSON metadata: no reflection on the hot path.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(EnrichedOrder))]
public sealed partial class OrdersJson : JsonSerializerContext;
