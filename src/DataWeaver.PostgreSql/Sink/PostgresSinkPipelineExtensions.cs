using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Sink;

/// <summary>The PostgreSQL sink in the fluent builder.</summary>
public static class PostgresSinkPipelineExtensions
{
    /// <summary>Writes the pipeline's records to a PostgreSQL table (see <see cref="PostgresSink"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The sink's options.</param>
    /// <param name="stage">The sink stage's options; its degree of parallelism must stay 1.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder<JsonRecord> ToPostgreSql(this PipelineBuilder<JsonRecord> builder, PostgresSinkOptions options, StageOptions? stage = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.To(new PostgresSink(options), stage);
    }
}
