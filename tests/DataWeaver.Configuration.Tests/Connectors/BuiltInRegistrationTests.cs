namespace DataWeaver.Configuration.Tests.Connectors;

/// <summary>Each built-in registers from its own folder with one AddXxx(); the defaults they describe are their options types'.</summary>
public sealed class BuiltInRegistrationTests
{
    /// <summary>What each built-in's AddXxx() registers on an empty registry: sources, sinks, frameworks, formats.</summary>
    private static readonly (string Name, Func<ConnectorRegistry, ConnectorRegistry> Add, string[] Sources, string[] Sinks, string[] Frameworks, string[] Formats)[] BuiltIns =
    [
        ("AddMessageFormats", r => r.AddMessageFormats(), [], [], [], ["json", "raw", "string", "utf8"]),
        ("AddStreams", r => r.AddStreams(), ["stream"], ["stream"], ["in-process"], []),
        ("AddGenerator", r => r.AddGenerator(), ["generator"], [], [], []),
        ("AddMemory", r => r.AddMemory(), ["memory"], [], [], []),
        ("AddFile", r => r.AddFile(), ["file"], ["file"], [], ["text"]),
        ("AddJsonLinesFile", r => r.AddJsonLinesFile(), ["json-lines-file"], ["json-lines-file"], [], []),
        ("AddConsole", r => r.AddConsole(), [], ["console"], [], []),
        ("AddDiscard", r => r.AddDiscard(), [], ["discard"], [], []),
    ];

    public static TheoryData<string> BuiltInNames() => [.. BuiltIns.Select(b => b.Name)];

    [Theory]
    [MemberData(nameof(BuiltInNames))]
    public void AddXxx_OnEmptyRegistry_RegistersOnlyItsOwnTypes(string name)
    {
        var builtIn = BuiltIns.Single(b => b.Name == name);
        var registry = builtIn.Add(new ConnectorRegistry());

        Assert.Equal(builtIn.Sources, registry.SourceTypes);
        Assert.Equal(builtIn.Sinks, registry.SinkTypes);
        Assert.Equal(builtIn.Frameworks, registry.FrameworkTypes);
        Assert.Equal(builtIn.Formats, RegisteredFormats(registry));
    }

    [Fact]
    public void CreateDefault_ComparedWithEveryAddXxx_RegistersExactlyTheirTypes()
    {
        var defaults = ConnectorRegistry.CreateDefault();

        Assert.Equal(BuiltIns.SelectMany(b => b.Sources).Order(StringComparer.Ordinal), defaults.SourceTypes);
        Assert.Equal(BuiltIns.SelectMany(b => b.Sinks).Order(StringComparer.Ordinal), defaults.SinkTypes);
        Assert.Equal(BuiltIns.SelectMany(b => b.Frameworks).Order(StringComparer.Ordinal), defaults.FrameworkTypes);
        Assert.Equal(BuiltIns.SelectMany(b => b.Formats).Order(StringComparer.Ordinal), RegisteredFormats(defaults));
    }

    /// <summary>The formats registered on the registry itself (not those of its serializer registry), sorted.</summary>
    private static IEnumerable<string> RegisteredFormats(ConnectorRegistry registry) =>
        BuiltIns.SelectMany(b => b.Formats).Where(f => registry.FindFormat(f) is not null).Order(StringComparer.Ordinal);

    [Fact]
    public void AddGenerator_Twice_RefusesTheSecondRegistration()
    {
        var registry = new ConnectorRegistry().AddGenerator();

        Assert.Throws<ArgumentException>(() => registry.AddGenerator());
    }

    /// <summary>The defaults the descriptors state (in `dataweaver connectors`, and in errors) are read from the options types, and say what they said before.</summary>
    [Theory]
    [InlineData("source", "json-lines-file", "bufferSize", "64KiB")]
    [InlineData("source", "json-lines-file", "maxRecordBytes", "1MiB")]
    [InlineData("source", "json-lines-file", "pollInterval", "1s")]
    [InlineData("source", "json-lines-file", "follow", "false")]
    [InlineData("source", "json-lines-file", "readUnterminatedLastLine", "false")]
    [InlineData("source", "json-lines-file", "startOffset", "0")]
    [InlineData("sink", "json-lines-file", "append", "false")]
    [InlineData("sink", "json-lines-file", "flushToDisk", "false")]
    [InlineData("source", "generator", "count", "endless")]
    [InlineData("source", "generator", "rate", "unthrottled")]
    [InlineData("source", "generator", "start", "0")]
    [InlineData("source", "stream", "group", "dataweaver")]
    [InlineData("source", "stream", "startFrom", "earliest")]
    [InlineData("sink", "stream", "keepTimestamp", "true")]
    [InlineData("sink", "console", "target", "stdout")]
    [InlineData("framework", "in-process", "partitionCapacity", "65536")]
    [InlineData("framework", "in-process", "maxMessageBytes", "1MiB")]
    [InlineData("format", "json", "maxRecordBytes", "1MiB")]
    [InlineData("format", "raw", "field", "value")]
    public void Descriptor_BuiltInSetting_StatesTheOptionsDefault(string kind, string type, string setting, string expected)
    {
        var registry = ConnectorRegistry.CreateDefault();
        var descriptor = kind switch
        {
            "source" => registry.FindSource(type)!.Descriptor,
            "sink" => registry.FindSink(type)!.Descriptor,
            "framework" => registry.FindFramework(type)!.Descriptor,
            _ => registry.FindFormat(type)!.Descriptor,
        };

        Assert.Equal(expected, descriptor!.Settings.Single(s => s.Name == setting).Default);
    }
}
