using DataWeaver.Pipelines;
using DataWeaver.Records;

namespace DataWeaver.Mqtt;

/// <summary>Builds pipelines over MQTT: a source whose in-flight limit is the pipeline's bound, and a sink.</summary>
public static class MqttPipelineExtensions
{
    /// <summary>
    /// Starts a pipeline at an <see cref="MqttSource"/> whose in-flight limit, unless <see cref="MqttSourceOptions.MaxInFlight"/> is
    /// set, is the pipeline's <see cref="PipelineOptions.MaxInFlightRecords"/> (at most 65,535).
    /// </summary>
    /// <param name="options">The source's options.</param>
    /// <param name="pipelineOptions">The pipeline's options; <see langword="null"/> uses the defaults.</param>
    /// <param name="name">The source's name; <see langword="null"/> uses <c>mqtt:{first topic}</c>.</param>
    /// <returns>The pipeline builder.</returns>
    public static PipelineBuilder<Record<ReadOnlyMemory<byte>>> FromMqtt(MqttSourceOptions options, PipelineOptions? pipelineOptions = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var bound = (pipelineOptions ?? new PipelineOptions()).MaxInFlightRecords;
        return Pipeline.From(new MqttSource(options with { MaxInFlight = options.MaxInFlight ?? Math.Min(bound, ushort.MaxValue) }, name), pipelineOptions);
    }

    /// <summary>Ends a pipeline at an <see cref="MqttSink"/> (QoS 1, each batch acknowledged once every PUBACK came).</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="options">The sink's options.</param>
    /// <param name="name">The sink's name; <see langword="null"/> uses <c>mqtt:{topic}</c>.</param>
    /// <returns>The builder, for <c>Build()</c>.</returns>
    public static PipelineBuilder<Record<ReadOnlyMemory<byte>>> ToMqtt(this PipelineBuilder<Record<ReadOnlyMemory<byte>>> builder, MqttSinkOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.To(new MqttSink(options, name));
    }
}
