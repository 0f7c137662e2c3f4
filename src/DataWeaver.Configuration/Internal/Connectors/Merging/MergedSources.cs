using DataWeaver.Connectors;
using DataWeaver.Merging;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Connectors.Merging;

/// <summary>The source of a pipeline of merged <c>sources</c> (fan-in): one <see cref="MergedSource{T}"/> over them, each tagged with its name in <c>sourceField</c> when set.</summary>
internal static class MergedSources
{
    public static MergedSource<JsonRecord> Create(PipelineDefinition definition, Func<ConnectorDefinition, string?, SourceConnector<JsonRecord>> create) =>
        new([.. definition.Sources.Select(s => create(s, definition.SourceField))], $"merge({string.Join(", ", definition.Sources.Select(s => s.Name))})");
}
