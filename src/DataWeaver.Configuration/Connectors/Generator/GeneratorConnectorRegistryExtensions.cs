using DataWeaver.Configuration.Internal;
using DataWeaver.Configuration.Internal.Connectors;
using DataWeaver.Connectors.Generator;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration;

/// <summary>The <c>generator</c> source in definition files. The source itself is the engine's <see cref="GeneratorSource{T}"/>.</summary>
public static class GeneratorConnectorRegistryExtensions
{
    private static readonly GeneratorOptions Defaults = new();

    private static readonly ConnectorDescriptor Descriptor = new()
    {
        Description = "Generates records from their sequence number n: a fixed count or endless, optionally at a rate.",
        Settings =
        [
            new("fields", SettingType.Mapping) { Required = true, Description = "Field name -> a constant, a template such as \"user-{n % 100}\", or { number | cycle | template | value | timestamp | object: ... }." },
            new("count", SettingType.Integer) { Minimum = 0, Default = Defaults.Count is { } count ? Units.FormatValue(count) : "endless", Description = "How many records to generate." },
            new("rate", SettingType.Number) { Minimum = 0.001, Default = Defaults.RecordsPerSecond is { } rate ? Units.FormatValue(rate) : "unthrottled", Description = "Records per second." },
            new("start", SettingType.Integer) { Minimum = 0, Default = Units.FormatValue(Defaults.Start), Description = "The sequence number of the first record." },
        ],
        Formats = ["json"],
        Validate = settings => ConnectorChecks.Errors(errors => GeneratedRecordSpec.Compile(settings.Get("fields")!, errors)),
    };

    /// <summary>Registers the <c>generator</c> source: <c>source: { type: generator, settings: { fields: ..., count: ..., rate: ..., start: ... } }</c>.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    /// <exception cref="ArgumentException">A source named <c>generator</c> is already registered.</exception>
    public static ConnectorRegistry AddGenerator(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.RegisterSource("generator", Create, Descriptor);
    }

    private static GeneratorSource<JsonRecord> Create(ConnectorContext context)
    {
        var settings = context.Settings;
        var spec = ConnectorChecks.Check(errors => GeneratedRecordSpec.Compile(settings.Get("fields") ?? ConfigValue.Mapping([], settings.Value.Location, settings.Value.Path + ".fields"), errors));
        return new GeneratorSource<JsonRecord>(spec.Generate, new GeneratorOptions
        {
            Count = settings.GetOptionalInt64("count") ?? Defaults.Count,
            RecordsPerSecond = settings.Contains("rate") ? settings.GetDouble("rate", 1) : Defaults.RecordsPerSecond,
            Start = settings.GetInt64("start", Defaults.Start),
            TimeProvider = context.TimeProvider,
        }, context.Name);
    }
}
