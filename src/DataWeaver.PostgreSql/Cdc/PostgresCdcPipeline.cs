using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>Pipelines over the PostgreSQL change data capture source: <c>PostgresCdcPipeline.From(options).Map(...).To(...)</c>.</summary>
public static class PostgresCdcPipeline
{
    /// <summary>Starts a pipeline with the changes of a PostgreSQL publication (see <see cref="PostgresCdcSource"/>).</summary>
    /// <param name="options">The source's options.</param>
    /// <param name="pipeline">The pipeline's options; the default is <see cref="PipelineOptions"/>' defaults.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder<JsonRecord> From(PostgresCdcOptions options, PipelineOptions? pipeline = null) =>
        Pipeline.From(new PostgresCdcSource(options), pipeline);
}
