using DataWeaver.Connectors.Memory;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Tests.Support;

/// <summary>
/// A registry with probe connector types whose factories count their calls, to prove invalid files construct nothing.
/// </summary>
internal sealed class Probes
{
    private int _sources;
    private int _sinks;
    private int _transforms;

    public Probes()
    {
        Registry = ConnectorRegistry.CreateDefault()
            .RegisterSource("probe", context =>
            {
                Interlocked.Increment(ref _sources);
                var count = context.Settings.GetInt32("count", 3);
                return new CollectionSource<JsonRecord>([.. Enumerable.Range(0, count).Select(i => JsonRecord.Parse($"{{\"id\":{i},\"amount\":{i * 100}}}"))], context.Name);
            }, new ConnectorDescriptor
            {
                Settings =
                [
                    new("count", SettingType.Integer) { Minimum = 0 },
                    new("token", SettingType.String) { Secret = true },
                ],
            })
            .RegisterSink("probe-sink", context =>
            {
                Interlocked.Increment(ref _sinks);
                return new CollectionSink<JsonRecord>(context.Name);
            }, new ConnectorDescriptor { Settings = [new("path", SettingType.Path) { Required = true, Output = true }] })
            .RegisterTransformFactory("probe-transform", context =>
            {
                Interlocked.Increment(ref _transforms);
                return r => r;
            }, new ConnectorDescriptor { Settings = [new("factor", SettingType.Number)] });
    }

    public ConnectorRegistry Registry { get; }

    /// <summary>Gets how many connectors and code transforms the factories constructed.</summary>
    public int Constructed => Volatile.Read(ref _sources) + Volatile.Read(ref _sinks) + Volatile.Read(ref _transforms);
}
