using DataWeaver.Pipelines;
using DataWeaver.Records;

namespace DataWeaver.RabbitMq;

/// <summary>Builds pipelines over RabbitMQ: a source whose prefetch is the pipeline's in-flight bound, and a sink.</summary>
public static class RabbitMqPipelineExtensions
{
    /// <summary>
    /// Starts a pipeline at a <see cref="RabbitMqSource"/> whose prefetch, unless <see cref="RabbitMqSourceOptions.PrefetchCount"/>
    /// is set, is the pipeline's <see cref="PipelineOptions.MaxInFlightRecords"/> (at most 65,535): the broker never hands the
    /// source more unacknowledged messages than the pipeline may hold.
    /// </summary>
    /// <param name="options">The source's options.</param>
    /// <param name="pipelineOptions">The pipeline's options; <see langword="null"/> uses the defaults.</param>
    /// <param name="name">The source's name; <see langword="null"/> uses <c>rabbitmq:{queue}</c>.</param>
    /// <returns>The pipeline builder.</returns>
    public static PipelineBuilder<Record<ReadOnlyMemory<byte>>> FromRabbitMq(RabbitMqSourceOptions options, PipelineOptions? pipelineOptions = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var bound = (pipelineOptions ?? new PipelineOptions()).MaxInFlightRecords;
        var source = new RabbitMqSource(options with { PrefetchCount = options.PrefetchCount ?? Math.Min(bound, ushort.MaxValue) }, name);
        return Pipeline.From(source, pipelineOptions);
    }

    /// <summary>Ends a pipeline at a <see cref="RabbitMqSink"/> (publisher confirms; mandatory publishing).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="options">The sink's options.</param>
    /// <param name="name">The sink's name; <see langword="null"/> derives it from the exchange or routing key.</param>
    /// <returns>The builder, for <c>Build()</c>.</returns>
    public static PipelineBuilder<Record<ReadOnlyMemory<byte>>> ToRabbitMq(this PipelineBuilder<Record<ReadOnlyMemory<byte>>> builder, RabbitMqSinkOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.To(new RabbitMqSink(options, name));
    }
}
