using System.Text;
using System.Text.Json;
using DataWeaver.Configuration.Internal;

namespace DataWeaver.Configuration.Loading.Internal;

/// <summary>
/// Reads JSON into a <see cref="ConfigValue"/> tree with <see cref="Utf8JsonReader"/>, computing each value's line and
/// column from its byte offset. Comments and trailing commas are accepted; duplicate keys are reported.
/// </summary>
internal sealed class JsonConfigReader
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = LoaderLimits.MaxDepth };
    private readonly byte[] _utf8;
    private readonly List<int> _lineStarts = [0];
    private readonly ErrorList _errors;

    private JsonConfigReader(byte[] utf8, ErrorList errors)
    {
        _utf8 = utf8;
        _errors = errors;
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    /// <summary>Reads the JSON value of <paramref name="text"/>; <see langword="null"/> when it is not well-formed (the problem is in <paramref name="errors"/>).</summary>
    public static ConfigValue? Read(string text, ErrorList errors)
    {
        var utf8 = Encoding.UTF8.GetBytes(text.TrimStart('\uFEFF'));
        var reader = new JsonConfigReader(utf8, errors);
        var json = new Utf8JsonReader(utf8, Options);
        try
        {
            if (!json.Read())
            {
                return ConfigValue.Scalar(ConfigValueKind.Null, null, new ConfigLocation(errors.File, 1, 1));
            }

            var root = reader.ReadValue(ref json, string.Empty);
            if (json.Read())
            {
                errors.Add(ConfigurationErrorCode.Syntax, string.Empty, reader.Location((int)json.TokenStartIndex), "JSON syntax error: more than one value in the file.");
                return null;
            }

            return root;
        }
        catch (JsonException exception)
        {
            var line = (int)(exception.LineNumber ?? 0);
            var bytesInLine = (int)(exception.BytePositionInLine ?? 0);
            var location = line < reader._lineStarts.Count
                ? reader.Location(reader._lineStarts[line] + bytesInLine)
                : new ConfigLocation(errors.File, line + 1, bytesInLine + 1);
            var code = json.CurrentDepth >= LoaderLimits.MaxDepth ? ConfigurationErrorCode.Limit : ConfigurationErrorCode.Syntax;
            errors.Add(code, string.Empty, location, "JSON syntax error: " + Clean(exception.Message));
            return null;
        }
    }

    private static string Clean(string message)
    {
        // "'x' is invalid after a value. Expected ... LineNumber: 3 | BytePositionInLine: 4." -> without the position part.
        var at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return at >= 0 ? message[..at] : message;
    }

    /// <summary>The line and column (in characters, from 1) of a byte offset.</summary>
    private ConfigLocation Location(int offset)
    {
        var line = _lineStarts.BinarySearch(offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        var lineStart = _lineStarts[line];
        var column = Encoding.UTF8.GetCharCount(_utf8, lineStart, Math.Max(0, Math.Min(offset, _utf8.Length) - lineStart)) + 1;
        return new ConfigLocation(_errors.File, line + 1, column);
    }

    private ConfigValue ReadValue(ref Utf8JsonReader json, string path)
    {
        var location = Location((int)json.TokenStartIndex);
        switch (json.TokenType)
        {
            case JsonTokenType.StartObject:
                return ReadObject(ref json, path, location);
            case JsonTokenType.StartArray:
                List<ConfigValue> items = [];
                while (json.Read() && json.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref json, ConfigPath.Item(path, items.Count)));
                }

                return ConfigValue.Sequence(items, location, path);
            case JsonTokenType.String:
                return ConfigValue.Scalar(ConfigValueKind.String, json.GetString(), location, path);
            case JsonTokenType.Number:
                var text = Encoding.UTF8.GetString(json.ValueSpan);
                var (kind, normalized) = text.AsSpan().IndexOfAny('.', 'e', 'E') >= 0
                    ? (ConfigValueKind.Number, text)
                    : ScalarResolver.Integer(text, 10);
                return ConfigValue.Scalar(kind, normalized, location, path);
            case JsonTokenType.True:
                return ConfigValue.Scalar(ConfigValueKind.Boolean, "true", location, path);
            case JsonTokenType.False:
                return ConfigValue.Scalar(ConfigValueKind.Boolean, "false", location, path);
            default:
                return ConfigValue.Scalar(ConfigValueKind.Null, null, location, path);
        }
    }

    private ConfigValue ReadObject(ref Utf8JsonReader json, string path, ConfigLocation location)
    {
        List<ConfigProperty> properties = [];
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var name = json.GetString()!;
            var nameLocation = Location((int)json.TokenStartIndex);
            var valuePath = ConfigPath.Child(path, name);
            json.Read();
            var value = ReadValue(ref json, valuePath);
            if (properties.Any(p => p.Name == name))
            {
                _errors.Add(ConfigurationErrorCode.DuplicateKey, valuePath, nameLocation, $"Duplicate key '{name}': each key may appear once in an object.");
                continue;
            }

            properties.Add(new ConfigProperty(name, value, nameLocation));
        }

        return ConfigValue.Mapping(properties, location, path);
    }
}
