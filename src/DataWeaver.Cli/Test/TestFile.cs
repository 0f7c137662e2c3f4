using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataWeaver.Cli.Test;

/// <summary>One case of a test file: the records its pipeline's source gives and the records each sink must get.</summary>
/// <param name="Name">The case's name.</param>
/// <param name="Pipeline">The pipeline it runs; <see langword="null"/> when the definition has one.</param>
/// <param name="Input">The records the source gives, in order.</param>
/// <param name="Output">The records expected per sink name, in order; the key <see cref="TestFile.OnlySink"/> stands for a pipeline's one sink.</param>
/// <param name="DeadLetters">The number of dead letters expected, or <see langword="null"/> when not checked.</param>
internal sealed record TestCase(string Name, string? Pipeline, IReadOnlyList<JsonNode?> Input, IReadOnlyDictionary<string, IReadOnlyList<JsonNode?>> Output, int? DeadLetters);

/// <summary>
/// A test file of <c>dataweaver test</c> (YAML or JSON): the definition file it tests (relative to the test file),
/// optional <c>set</c> variables, and its <c>tests</c>, each with <c>input</c> records and the expected <c>output</c>.
/// </summary>
/// <param name="Definition">The definition file, in full.</param>
/// <param name="Variables">The variables for <c>${NAME}</c> in the definition.</param>
/// <param name="Cases">The cases, in file order.</param>
internal sealed record TestFile(string Definition, IReadOnlyDictionary<string, string> Variables, IReadOnlyList<TestCase> Cases)
{
    /// <summary>The key of <see cref="TestCase.Output"/> when <c>output</c> is a list: the pipeline's one sink.</summary>
    public const string OnlySink = "";

    /// <summary>Reads a test file.</summary>
    /// <param name="path">The file, in full.</param>
    /// <returns>The file.</returns>
    /// <exception cref="FormatException">The file is not a valid test file; the message says where and why.</exception>
    public static TestFile Read(string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(File.ReadAllText(path));
            stream.Load(reader);
        }
        catch (YamlException exception)
        {
            throw new FormatException($"{exception.Start.Line}:{exception.Start.Column}: {exception.Message}", exception);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new FormatException("A test file is one mapping with 'definition' and 'tests'.");
        }

        var definition = Scalar(root, "definition", required: true)!;
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(root, "set") is { } set)
        {
            foreach (var (key, value) in Mapping(set, "set").Children)
            {
                variables[Text(key, "set")] = Text(value, "set");
            }
        }

        if (Child(root, "tests") is not YamlSequenceNode tests || tests.Children.Count == 0)
        {
            throw new FormatException($"{At(root)}: 'tests' must be a list of at least one test.");
        }

        CheckKeys(root, "definition", "set", "tests");
        var cases = tests.Children.Select((node, index) => Case(Mapping(node, $"tests[{index}]"), index)).ToList();
        var duplicate = cases.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FormatException($"Two tests are named '{duplicate.Key}'.");
        }

        return new TestFile(Path.GetFullPath(definition, Path.GetDirectoryName(path)!), variables, cases);
    }

    /// <summary>Converts a YAML node to JSON: plain scalars are typed as YAML 1.2's core schema does (null, booleans, numbers), quoted ones are strings.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The JSON value.</returns>
    internal static JsonNode? Json(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(p => KeyValuePair.Create(Text(p.Key, "a record"), Json(p.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Json)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: var text } => text switch
        {
            null or "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => JsonValue.Create(number),
            _ => JsonValue.Create(text),
        },
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? string.Empty),
        _ => throw new FormatException($"{At(node)}: aliases and tags are not supported in test files."),
    };

    private static TestCase Case(YamlMappingNode node, int index)
    {
        CheckKeys(node, "name", "pipeline", "input", "output", "deadLetters");
        var name = Scalar(node, "name") ?? $"test {index + 1}";
        var input = Child(node, "input") is YamlSequenceNode records
            ? records.Children.Select(r => Json(Mapping(r, $"tests[{index}].input"))).ToList()
            : throw new FormatException($"{At(node)}: test '{name}' needs 'input': a list of records.");
        var output = new Dictionary<string, IReadOnlyList<JsonNode?>>(StringComparer.Ordinal);
        switch (Child(node, "output"))
        {
            case YamlSequenceNode only:
                output[OnlySink] = Records(only, name);
                break;
            case YamlMappingNode sinks:
                foreach (var (sink, expected) in sinks.Children)
                {
                    output[Text(sink, "output")] = expected is YamlSequenceNode list ? Records(list, name) : throw new FormatException($"{At(expected)}: test '{name}': the expected output of a sink is a list of records.");
                }

                break;
            case null:
                break;
            case var other:
                throw new FormatException($"{At(other)}: test '{name}': 'output' is a list of records (one sink) or a mapping from sink names to lists of records.");
        }

        int? deadLetters = Scalar(node, "deadLetters") is { } count
            ? int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"{At(node)}: test '{name}': 'deadLetters' is a count.")
            : null;
        return new TestCase(name, Scalar(node, "pipeline"), input, output, deadLetters);
    }

    private static List<JsonNode?> Records(YamlSequenceNode list, string test) => [.. list.Children.Select(r => Json(Mapping(r, $"test '{test}' output")))];

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.FirstOrDefault(p => p.Key is YamlScalarNode { Value: var k } && k == key).Value;

    private static string? Scalar(YamlMappingNode node, string key, bool required = false) => Child(node, key) switch
    {
        null when required => throw new FormatException($"{At(node)}: '{key}' is required."),
        null => null,
        var value => Text(value, key),
    };

    private static string Text(YamlNode node, string what) =>
        node is YamlScalarNode { Value: { } text } ? text : throw new FormatException($"{At(node)}: {what}: a text value is expected here.");

    private static YamlMappingNode Mapping(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw new FormatException($"{At(node)}: {what}: a mapping is expected here.");

    private static void CheckKeys(YamlMappingNode node, params string[] allowed)
    {
        foreach (var key in node.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } name } || !allowed.Contains(name, StringComparer.Ordinal))
            {
                throw new FormatException($"{At(key)}: unknown key '{(key as YamlScalarNode)?.Value}'; allowed here: {string.Join(", ", allowed)}.");
            }
        }
    }

    private static string At(YamlNode node) => string.Create(CultureInfo.InvariantCulture, $"{node.Start.Line}:{node.Start.Column}");
}
