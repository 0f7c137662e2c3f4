using DataWeaver.Configuration.Internal;
using DataWeaver.Configuration.Internal.Connectors;
using DataWeaver.Streams;
using DataWeaver.Streams.InProcess;

namespace DataWeaver.Configuration;

/// <summary>
/// The <c>stream</c> source and sink (a stream of the pipeline's framework) and the embedded <c>in-process</c> framework
/// in definition files. The connectors are the engine's <see cref="StreamSource"/> and <see cref="StreamSink"/>, the
/// framework its <see cref="InProcessStreamFramework"/>; every default is theirs (<see cref="StreamConsumerOptions"/>,
/// <see cref="StreamSinkOptions"/>, <see cref="InProcessStreamOptions"/>). Other frameworks register the same way
/// (Kafka: <c>AddKafka()</c>).
/// </summary>
public static class StreamConnectorRegistryExtensions
{
    private static readonly StreamConsumerOptions ConsumerDefaults = new();
    private static readonly StreamSinkOptions SinkDefaults = new();
    private static readonly InProcessStreamOptions InProcessDefaults = new();

    private static readonly ConnectorDescriptor SourceDescriptor = new()
    {
        Description = "Reads a stream of the pipeline's framework as a member of a consumer group; commits as records are acknowledged.",
        Settings =
        [
            new("topic", SettingType.String) { Required = true, Description = "The stream to read." },
            new("group", SettingType.String) { Default = ConsumerDefaults.GroupId, Description = "The consumer group." },
            new("startFrom", SettingType.String) { AllowedValues = ["earliest", "latest"], Default = StartFromName(ConsumerDefaults.StartFrom), Description = "Where a new group starts." },
            new("partitions", SettingType.Integer) { Minimum = 1, Default = "create with 1 when missing", Description = "Create the stream with this many partitions." },
        ],
    };

    private static readonly ConnectorDescriptor SinkDescriptor = new()
    {
        Description = "Produces each record as a message to a stream of the pipeline's framework (key from the sink's key field).",
        Settings =
        [
            new("topic", SettingType.String) { Required = true, Description = "The stream to write." },
            new("partitions", SettingType.Integer) { Minimum = 1, Default = "create with 1 when missing", Description = "Create the stream with this many partitions." },
            new("keepTimestamp", SettingType.Boolean) { Default = Units.FormatValue(SinkDefaults.KeepTimestamp), Description = "Keep each record's timestamp." },
        ],
    };

    private static readonly ConnectorDescriptor InProcessDescriptor = new()
    {
        Description = "The embedded in-process stream framework: streams in memory, shared by the pipelines of one manager.",
        Settings =
        [
            new("partitionCapacity", SettingType.Integer) { Minimum = 1, Default = Units.FormatValue(InProcessDefaults.PartitionCapacity), Description = "Messages a partition keeps before producers wait." },
            new("maxMessageBytes", SettingType.Size) { Minimum = 1, Default = Units.FormatSize(InProcessDefaults.MaxMessageBytes), Description = "The largest message." },
        ],
    };

    /// <summary>
    /// Registers the <c>in-process</c> framework and the <c>stream</c> source and sink:
    /// <c>framework: { type: in-process }</c>, <c>source: { type: stream, settings: { topic: ..., group: ..., startFrom: earliest | latest } }</c>,
    /// <c>sink: { type: stream, settings: { topic: ..., keepTimestamp: ... } }</c>.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    /// <exception cref="ArgumentException">A framework named <c>in-process</c>, or a source or sink named <c>stream</c>, is already registered.</exception>
    public static ConnectorRegistry AddStreams(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterFramework("in-process", c => new InProcessStreamFramework(new InProcessStreamOptions
            {
                PartitionCapacity = c.Settings.GetInt32("partitionCapacity", InProcessDefaults.PartitionCapacity),
                MaxMessageBytes = (int)c.Settings.GetSize("maxMessageBytes", InProcessDefaults.MaxMessageBytes),
                TimeProvider = c.TimeProvider,
            }), InProcessDescriptor)
            .RegisterPayloadSource("stream", c => new ConfiguredStreamSource(
                c.Framework,
                c.Settings.GetRequiredString("topic"),
                (int?)c.Settings.GetOptionalInt64("partitions"),
                new StreamConsumerOptions
                {
                    GroupId = c.Settings.GetString("group", ConsumerDefaults.GroupId)!,
                    StartFrom = c.Settings.GetString("startFrom") switch
                    {
                        "latest" => StreamStartPosition.Latest,
                        "earliest" => StreamStartPosition.Earliest,
                        _ => ConsumerDefaults.StartFrom,
                    },
                },
                c.Name), SourceDescriptor)
            .RegisterPayloadSink("stream", c => new ConfiguredStreamSink(
                c.Framework,
                c.Settings.GetRequiredString("topic"),
                (int?)c.Settings.GetOptionalInt64("partitions"),
                new StreamSinkOptions { KeepTimestamp = c.Settings.GetBoolean("keepTimestamp", SinkDefaults.KeepTimestamp) },
                c.Name), SinkDescriptor);
    }

    private static string StartFromName(StreamStartPosition position) => position == StreamStartPosition.Latest ? "latest" : "earliest";
}
