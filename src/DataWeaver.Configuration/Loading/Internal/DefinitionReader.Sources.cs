namespace DataWeaver.Configuration.Loading.Internal;

/// <summary>The pipeline's <c>source</c>, or its merged <c>sources</c> (fan-in) and their <c>sourceField</c>.</summary>
internal sealed partial class DefinitionReader
{
    /// <summary>The pipeline's source (the first of <c>sources</c> when they are merged), the merged sources and the tag field.</summary>
    private (ConnectorDefinition Source, List<ConnectorDefinition> Sources, string? Field) ReadSources(ConfigValue node)
    {
        var single = node["source"];
        var many = node["sources"];
        var field = node["sourceField"];
        if (many is null)
        {
            if (field is not null)
            {
                errors.Add(ConfigurationErrorCode.Conflict, field, "'sourceField' tags the records of merged 'sources' with their source's name; this pipeline reads one 'source'.");
            }

            if (single is null)
            {
                errors.Add(ConfigurationErrorCode.Required, ConfigPath.Child(node.Path, "source"), node.Location, "Missing required key 'source' (or 'sources': a list of named sources to merge).");
            }

            return (single is { Kind: ConfigValueKind.Mapping } ? ReadConnector(single, ConnectorRole.Source, null) : Placeholder(node, "source", ConnectorRole.Source), [], null);
        }

        if (single is not null)
        {
            errors.Add(ConfigurationErrorCode.Conflict, many, "A pipeline reads either one 'source' or merged 'sources', not both: move the source into the list.");
        }

        List<ConnectorDefinition> sources = [];
        Dictionary<string, ConfigValue> names = new(StringComparer.Ordinal);
        foreach (var item in many.Items.Where(i => i.Kind == ConfigValueKind.Mapping))
        {
            var source = ReadConnector(item, ConnectorRole.Source, null);
            sources.Add(source);
            if (item["name"] is not { Kind: ConfigValueKind.String } name)
            {
                errors.Add(ConfigurationErrorCode.Required, ConfigPath.Child(item.Path, "name"), item.Location, "Each of merged 'sources' needs a 'name': it names the source's records (sourceField), graphs and errors.");
            }
            else if (!names.TryAdd(source.Name, name))
            {
                errors.Add(ConfigurationErrorCode.DuplicateName, name, $"Duplicate source name '{source.Name}': it is already the name of {names[source.Name].Path}; give each merged source its own name.");
            }

            if (item["type"] is { } type && !errors.HasAt(type.Path) && registry.FindSource(source.Type) is { Payloads: not null })
            {
                errors.Add(ConfigurationErrorCode.Conflict, type, $"Merged 'sources' must be sources of records; '{source.Type}' reads messages (decoded by a format). Merge sources of records (file, json-lines-file, memory, generator), or give the message source a pipeline of its own.");
            }
        }

        foreach (var transform in node["transforms"]?.Items ?? [])
        {
            if ((transform["window"] ?? transform["reduce"])?["checkpointState"] is { Text: "true" } state)
            {
                errors.Add(ConfigurationErrorCode.Conflict, state, "'checkpointState' saves a window's state with its source's checkpoint; merged 'sources' have one checkpoint each, so it needs a pipeline with one source.");
            }
        }

        var tag = Text(field);
        return (sources.Count > 0 ? sources[0] : Placeholder(node, "sources", ConnectorRole.Source), sources, tag);
    }
}
