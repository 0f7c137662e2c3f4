using System.Text.Json;
using DataWeaver.Configuration.Schema.Internal;

namespace DataWeaver.Configuration;

/// <summary>
/// The JSON Schema (draft 2020-12) of pipeline definition files, the same text as <c>docs/configuration/pipeline.schema.json</c>
/// (that file is compiled into this assembly). Editors can use it for completion; the loader validates every file with it.
/// </summary>
public static class PipelineSchema
{
    private const string ResourceName = "DataWeaver.Configuration.pipeline.schema.json";
    private static readonly Lazy<string> LazyText = new(ReadText);
    private static readonly Lazy<SchemaNode> LazyRoot = new(() =>
    {
        using var document = JsonDocument.Parse(Text);
        return SchemaNode.Compile(document.RootElement);
    });

    /// <summary>Gets the schema's JSON text.</summary>
    public static string Text => LazyText.Value;

    internal static SchemaNode Root => LazyRoot.Value;

    private static string ReadText()
    {
        using var stream = typeof(PipelineSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
