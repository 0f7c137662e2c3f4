using DataWeaver.Pipelines;

namespace DataWeaver.Configuration;

/// <summary>The engine's option defaults, read once, so a definition file's defaults are the engine's and are stated in one place.</summary>
internal static class EngineDefaults
{
    /// <summary>Gets a <see cref="PipelineOptions"/> with every option at its default.</summary>
    public static PipelineOptions Options { get; } = new();
}
