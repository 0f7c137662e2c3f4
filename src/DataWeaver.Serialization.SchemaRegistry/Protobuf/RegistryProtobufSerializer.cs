using System.Buffers;
using Confluent.SchemaRegistry;
using DataWeaver.Errors;
using DataWeaver.Serialization.Protobuf.Serializers;
using DataWeaver.Serialization.SchemaRegistry.Internal;
using Google.Protobuf;

namespace DataWeaver.Serialization.SchemaRegistry.Protobuf;

/// <summary>
/// Encodes Google.Protobuf messages in Confluent's Protobuf wire format (magic byte 0, the schema id big-endian, the
/// message indexes of <typeparamref name="T"/> in its file as zig-zag varints, a single 0 for the first message, then
/// the message) with a schema id from a schema registry, resolved once as <see cref="RegistrySubjectOptions.IdSource"/>
/// says. The schema registered is the <c>.proto</c> text given to the constructor (not generated from the descriptor;
/// imports are not registered as references). Thread-safe.
/// </summary>
/// <typeparam name="T">The generated message type.</typeparam>
public sealed class RegistryProtobufSerializer<T> : IRecordSerializer<T>
    where T : IMessage<T>, new()
{
    private readonly ResolveOnce<Resolved> _inner;

    /// <summary>Creates the serializer.</summary>
    /// <param name="client">The registry client; not disposed by the serializer.</param>
    /// <param name="protoSchema">The <c>.proto</c> file declaring <typeparamref name="T"/>, as registered (the text is sent unchanged).</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults (which need <see cref="RegistrySubjectOptions.Topic"/>).</param>
    /// <exception cref="SerializerConfigurationException">The options are invalid; the message lists every problem.</exception>
    public RegistryProtobufSerializer(ISchemaRegistryClient client, string protoSchema, RegistryProtobufOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(protoSchema);
        options ??= new RegistryProtobufOptions();
        var name = new T().Descriptor.FullName;
        var problems = options.Validate(name);
        if (problems.Count > 0)
        {
            RegistryErrors.ThrowConfiguration(typeof(T).Name, problems, "protobuf");
        }

        var subject = Subject = options.SubjectOf(name);
        var schema = new Confluent.SchemaRegistry.Schema(protoSchema, SchemaType.Protobuf);
        _inner = new(async () =>
        {
            var id = await RegisteredIds.ResolveAsync(client, subject, options, schema, registered => Squeeze(registered) == Squeeze(protoSchema)).ConfigureAwait(false);
            return new Resolved(id, new ProtobufSerializer<T>(new ProtobufSerializerOptions { Framing = ProtobufFraming.Confluent, SchemaId = id, MaxRecordSize = options.MaxRecordSize }));
        });
    }

    /// <summary>Gets the registry subject of the schema.</summary>
    public string Subject { get; }

    /// <inheritdoc />
    public string Format => "protobuf";

    /// <summary>Resolves the schema id (once; later calls return it at once).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The schema id written with every record.</returns>
    /// <exception cref="DataWeaverException">The registry failed: transient for server errors, throttling and network failures; fatal otherwise.</exception>
    public async ValueTask<int> GetSchemaIdAsync(CancellationToken cancellationToken = default) =>
        (await _inner.GetAsync(cancellationToken).ConfigureAwait(false)).Id;

    /// <inheritdoc />
    /// <exception cref="DataWeaverException">The schema id could not be resolved (see <see cref="GetSchemaIdAsync"/>).</exception>
    public void Serialize(in T value, IBufferWriter<byte> writer) => _inner.Get().Serializer.Serialize(value, writer);

    private static string Squeeze(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private sealed record Resolved(int Id, ProtobufSerializer<T> Serializer);
}
