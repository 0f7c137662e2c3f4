using DataWeaver.Configuration.Internal.Transforms;

namespace DataWeaver.Configuration.Loading.Internal;

/// <summary>The settings of asynchronous enrichments (<c>enrich: { http: {...} }</c>), checked against their registered descriptors.</summary>
internal sealed partial class DefinitionReader
{
    private void CheckEnrichments(List<TransformDefinition> transforms)
    {
        foreach (var transform in transforms.Where(t => t.Kind == "enrich"))
        {
            if (AsyncEnrichTransform.Key(transform.Arguments) is { Value.Kind: ConfigValueKind.Mapping } key && registry.FindAsyncEnrichment(key.Name) is { } registration)
            {
                CheckSettings(key.Value, registration.Descriptor, $"enrichment '{registration.Name}'");
            }
        }
    }
}
