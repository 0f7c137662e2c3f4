using System.Globalization;
using DataWeaver.Serialization.Protobuf.Serializers;
using Google.Protobuf;

namespace DataWeaver.Serialization.Protobuf.Registry;

/// <summary>
/// The <c>protobuf</c> format of a <see cref="SerializerRegistry"/>: <see cref="ProtobufSerializer{T}"/> and
/// <see cref="ProtobufDeserializer{T}"/> for any generated message type (<c>T : IMessage&lt;T&gt;</c> with a public
/// parameterless constructor). Register it with <see cref="SerializerRegistryBuilder"/>'s <c>AddProtobuf()</c>.
/// Thread-safe; it never blocks.
/// </summary>
/// <remarks>
/// Settings (keys compared ignoring case), all optional:
/// <list type="bullet">
/// <item><c>framing</c>: <c>none</c> (the default), <c>length-delimited</c> or <c>confluent</c>, ignoring case.</item>
/// <item><c>schemaId</c>: the Schema Registry id written with <c>confluent</c> framing, 0 to 2147483647. Required to
/// create a serializer with <c>confluent</c> framing, optional for a deserializer (which does not match it), and
/// refused with any other framing.</item>
/// <item><c>maxRecordSize</c>: the largest message in bytes, framing excluded, 16 to 1073741824; the default is
/// 1048576 (<see cref="ProtobufSerializerOptions.DefaultMaxRecordSize"/>).</item>
/// </list>
/// Invalid settings raise one <see cref="SerializerConfigurationException"/> naming the format, the type and every problem.
/// </remarks>
public sealed class ProtobufSerializerFactory : ISerializerFactory
{
    /// <summary>The format name: <c>protobuf</c>.</summary>
    public const string FormatName = "protobuf";

    /// <summary>The setting choosing the framing: <c>none</c>, <c>length-delimited</c> or <c>confluent</c>.</summary>
    public const string FramingSetting = "framing";

    /// <summary>The setting holding the Schema Registry id written with <c>confluent</c> framing.</summary>
    public const string SchemaIdSetting = "schemaId";

    /// <summary>The setting holding the largest message size in bytes.</summary>
    public const string MaxRecordSizeSetting = "maxRecordSize";

    private const int MaxRecordSizeLimit = 1 << 30;
    private const int MinRecordSizeLimit = 16;

    private ProtobufSerializerFactory()
    {
    }

    /// <summary>Gets the factory. It holds no state.</summary>
    public static ProtobufSerializerFactory Instance { get; } = new();

    /// <inheritdoc />
    public string SupportedTypes => "generated protobuf messages (IMessage<T> with a public parameterless constructor)";

    /// <inheritdoc />
    public IRecordSerializer<T>? CreateSerializer<T>(SerializerRequest request)
    {
        var options = ReadOptions<T>(request, forWriting: true);
        return IsMessage(typeof(T))
            ? (IRecordSerializer<T>)Activator.CreateInstance(typeof(ProtobufSerializer<>).MakeGenericType(typeof(T)), options)!
            : null;
    }

    /// <inheritdoc />
    public IRecordDeserializer<T>? CreateDeserializer<T>(SerializerRequest request)
    {
        var options = ReadOptions<T>(request, forWriting: false);
        return IsMessage(typeof(T))
            ? (IRecordDeserializer<T>)Activator.CreateInstance(typeof(ProtobufDeserializer<>).MakeGenericType(typeof(T)), options)!
            : null;
    }

    /// <summary>Whether <paramref name="type"/> is a concrete class implementing <c>IMessage&lt;type&gt;</c> with a public parameterless constructor.</summary>
    private static bool IsMessage(Type type) =>
        type is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false }
        && type.GetConstructor(Type.EmptyTypes) is not null
        && Array.Exists(type.GetInterfaces(), i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IMessage<>) && i.GetGenericArguments()[0] == type);

    private static ProtobufSerializerOptions ReadOptions<T>(SerializerRequest request, bool forWriting)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = new List<string>();
        var unknown = request.Settings.Keys
            .Where(key => !key.Equals(FramingSetting, StringComparison.OrdinalIgnoreCase)
                && !key.Equals(SchemaIdSetting, StringComparison.OrdinalIgnoreCase)
                && !key.Equals(MaxRecordSizeSetting, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unknown.Count > 0)
        {
            problems.Add($"unknown setting(s) {string.Join(", ", unknown)}; it takes {FramingSetting}, {SchemaIdSetting}, {MaxRecordSizeSetting}");
        }

        var framing = ProtobufFraming.None;
        var framingKnown = true;
        if (request.Settings.TryGetValue(FramingSetting, out var framingText))
        {
            switch (framingText.Trim().ToUpperInvariant())
            {
                case "NONE":
                    framing = ProtobufFraming.None;
                    break;
                case "LENGTH-DELIMITED":
                    framing = ProtobufFraming.LengthDelimited;
                    break;
                case "CONFLUENT":
                    framing = ProtobufFraming.Confluent;
                    break;
                default:
                    framingKnown = false;
                    problems.Add($"setting {FramingSetting} must be none, length-delimited or confluent (was '{framingText}')");
                    break;
            }
        }

        var schemaId = 0;
        if (request.Settings.TryGetValue(SchemaIdSetting, out var schemaIdText))
        {
            if (!TryParse(schemaIdText, 0, int.MaxValue, out schemaId))
            {
                problems.Add($"setting {SchemaIdSetting} must be an integer from 0 to {int.MaxValue} (was '{schemaIdText}')");
            }
            else if (framingKnown && framing != ProtobufFraming.Confluent)
            {
                problems.Add($"setting {SchemaIdSetting} applies only to framing confluent (framing is {Describe(framing)})");
            }
        }
        else if (forWriting && framing == ProtobufFraming.Confluent)
        {
            problems.Add($"framing confluent needs setting {SchemaIdSetting} to write records");
        }

        var maxRecordSize = ProtobufSerializerOptions.DefaultMaxRecordSize;
        if (request.Settings.TryGetValue(MaxRecordSizeSetting, out var maxText)
            && !TryParse(maxText, MinRecordSizeLimit, MaxRecordSizeLimit, out maxRecordSize))
        {
            problems.Add($"setting {MaxRecordSizeSetting} must be an integer from {MinRecordSizeLimit} to {MaxRecordSizeLimit} (was '{maxText}')");
        }

        if (problems.Count > 0)
        {
            throw new SerializerConfigurationException(
                request.Format,
                typeof(T),
                [],
                $"Format '{request.Format}' for type '{NameOf(typeof(T))}': {string.Join("; ", problems)}.");
        }

        return new ProtobufSerializerOptions { Framing = framing, SchemaId = schemaId, MaxRecordSize = maxRecordSize };
    }

    private static bool TryParse(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static string Describe(ProtobufFraming framing) => framing == ProtobufFraming.LengthDelimited ? "length-delimited" : "none";

    /// <summary>A C#-like name for messages: <c>List&lt;int&gt;</c>, not <c>List`1</c>.</summary>
    private static string NameOf(Type type)
    {
        if (type.IsArray)
        {
            return NameOf(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", type.GetGenericArguments().Select(NameOf)) + ">";
    }
}
