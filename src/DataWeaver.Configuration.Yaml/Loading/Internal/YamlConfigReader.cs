using DataWeaver.Configuration.Internal;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DataWeaver.Configuration.Loading.Internal;

/// <summary>
/// Reads YAML into a <see cref="ConfigValue"/> tree with YamlDotNet's parser (events with line/column marks): core
/// schema scalars, anchors and aliases, <c>&lt;&lt;</c> merge keys, duplicate keys reported. Hostile input is bounded:
/// nesting deeper than <see cref="LoaderLimits.MaxDepth"/> and more than <see cref="LoaderLimits.MaxValues"/> values
/// (aliases counted at their expanded size, so a "billion laughs" file stops early) are reported as
/// <see cref="ConfigurationErrorCode.Limit"/> errors.
/// </summary>
internal sealed class YamlConfigReader
{
    private const string MergeKey = "<<";
    private readonly Parser _parser;
    private readonly ErrorList _errors;
    private readonly Dictionary<string, (ConfigValue Value, int Size)> _anchors = new(StringComparer.Ordinal);
    private Mark _last = Mark.Empty;
    private int _depth;
    private int _values;

    private YamlConfigReader(string text, ErrorList errors)
    {
        _parser = new Parser(new StringReader(text));
        _errors = errors;
    }

    /// <summary>Reads the one document of <paramref name="text"/>; <see langword="null"/> when it is not well-formed (the problem is in <paramref name="errors"/>).</summary>
    public static ConfigValue? Read(string text, ErrorList errors)
    {
        var reader = new YamlConfigReader(text, errors);
        try
        {
            return reader.ReadStream();
        }
        catch (LimitExceededException)
        {
            // reported where it was found
        }
        catch (YamlException exception)
        {
            var line = (int)exception.Start.Line;
            if (TabIndentedLine(text, line) is { } tabLine)
            {
                errors.Add(ConfigurationErrorCode.Syntax, string.Empty, new ConfigLocation(errors.File, tabLine, 1), "YAML syntax error: this line is indented with a tab character; YAML indents with spaces only.");
            }
            else
            {
                errors.Add(ConfigurationErrorCode.Syntax, string.Empty, new ConfigLocation(errors.File, line, (int)exception.Start.Column), "YAML syntax error: " + Clean(exception.Message));
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet reports some malformed input (an unclosed flow collection) this way, without a position.
            errors.Add(ConfigurationErrorCode.Syntax, string.Empty, new ConfigLocation(errors.File, (int)reader._last.Line, (int)reader._last.Column), "YAML syntax error after this point: the document is malformed (an unclosed bracket, brace or quote?).");
        }

        return null;
    }

    /// <summary>
    /// The first line at or before <paramref name="errorLine"/> (any line when the parser gave no useful position) whose
    /// indentation holds a tab: YamlDotNet reports such files at odd places, often line 1.
    /// </summary>
    private static int? TabIndentedLine(string text, int errorLine)
    {
        var line = 1;
        var start = 0;
        while (start <= text.Length)
        {
            if (errorLine > 1 && line > errorLine)
            {
                return null;
            }

            var end = text.IndexOf('\n', start);
            var content = text.AsSpan(start, (end < 0 ? text.Length : end) - start);
            var indent = content.Length - content.TrimStart(" \t").Length;
            if (content[..indent].Contains('\t'))
            {
                return line;
            }

            if (end < 0)
            {
                return null;
            }

            start = end + 1;
            line++;
        }

        return null;
    }

    private static string Clean(string message)
    {
        // "(Line: 3, Col: 5, Idx: 20) - (Line: 3, Col: 6, Idx: 21): While scanning ..." -> the part after the marks.
        var colon = message.IndexOf("): ", StringComparison.Ordinal);
        return colon >= 0 ? message[(colon + 3)..] : message;
    }

    private ConfigValue? ReadStream()
    {
        Expect<StreamStart>();
        if (_parser.TryConsume<StreamEnd>(out _))
        {
            return ConfigValue.Scalar(ConfigValueKind.Null, null, new ConfigLocation(_errors.File, 1, 1));
        }

        Expect<DocumentStart>();
        var root = ReadNode(string.Empty);
        Expect<DocumentEnd>();
        if (!_parser.TryConsume<StreamEnd>(out _))
        {
            var at = _parser.Current!.Start;
            _errors.Add(ConfigurationErrorCode.Syntax, string.Empty, Location(at), "A pipeline file holds one YAML document; remove the second '---'.");
            return null;
        }

        return root;
    }

    private T Expect<T>()
        where T : ParsingEvent
    {
        var next = _parser.Consume<T>();
        _last = next.End;
        return next;
    }

    private ConfigLocation Location(Mark mark) => new(_errors.File, (int)mark.Line, (int)mark.Column);

    private ConfigValue ReadNode(string path)
    {
        var current = _parser.Current!;
        _last = current.Start;
        if (current is not Scalar and not AnchorAlias && ++_depth > LoaderLimits.MaxDepth)
        {
            _errors.Add(ConfigurationErrorCode.Limit, path, Location(current.Start), $"The file is nested more than {LoaderLimits.MaxDepth} levels deep here; a pipeline file never needs that.");
            throw new LimitExceededException();
        }

        try
        {
            return ReadNodeAtDepth(current, path);
        }
        finally
        {
            if (current is not Scalar and not AnchorAlias)
            {
                _depth--;
            }
        }
    }

    private ConfigValue ReadNodeAtDepth(ParsingEvent current, string path)
    {
        var valuesBefore = _values;
        Count(1, current.Start, path);
        switch (current)
        {
            case AnchorAlias alias:
                _parser.MoveNext();
                if (_anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    Count(anchored.Size - 1, alias.Start, path);
                    return anchored.Value.WithPath(path);
                }

                _errors.Add(ConfigurationErrorCode.Syntax, path, Location(alias.Start), $"Unknown YAML alias '*{alias.Value.Value}': define '&{alias.Value.Value}' before using it.");
                return ConfigValue.Scalar(ConfigValueKind.Null, null, Location(alias.Start), path);
            case Scalar scalar:
                _parser.MoveNext();
                return Remember(scalar, ReadScalar(scalar, path), valuesBefore);
            case SequenceStart start:
                _parser.MoveNext();
                return Remember(start, ReadSequence(start, path), valuesBefore);
            case MappingStart start:
                _parser.MoveNext();
                return Remember(start, ReadMapping(start, path), valuesBefore);
            default:
                throw new InvalidOperationException("Unexpected YAML event " + current.GetType().Name);
        }
    }

    /// <summary>Counts values read (an alias counts as the values it expands to) and stops at the budget.</summary>
    private void Count(int values, Mark at, string path)
    {
        _values += values;
        if (_values > LoaderLimits.MaxValues)
        {
            _errors.Add(ConfigurationErrorCode.Limit, path, Location(at), $"The file holds more than {LoaderLimits.MaxValues:N0} values here, counting what YAML aliases expand to; a pipeline file never needs that.");
            throw new LimitExceededException();
        }
    }

    private ConfigValue Remember(NodeEvent node, ConfigValue value, int valuesBefore)
    {
        if (!node.Anchor.IsEmpty)
        {
            _anchors[node.Anchor.Value] = (value, _values - valuesBefore);
        }

        return value;
    }

    /// <summary>Unwinds the reader once a limit was reported.</summary>
    private sealed class LimitExceededException : Exception
    {
    }

    private ConfigValue ReadScalar(Scalar scalar, string path)
    {
        var location = Location(scalar.Start);
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || (tag is null && scalar.Style != ScalarStyle.Plain) || tag == "!")
        {
            return ConfigValue.Scalar(ConfigValueKind.String, scalar.Value, location, path);
        }

        var (kind, text) = ScalarResolver.ResolvePlain(scalar.Value);
        return ConfigValue.Scalar(kind, text, location, path);
    }

    private ConfigValue ReadSequence(SequenceStart start, string path)
    {
        List<ConfigValue> items = [];
        while (!_parser.TryConsume<SequenceEnd>(out _))
        {
            items.Add(ReadNode(ConfigPath.Item(path, items.Count)));
        }

        return ConfigValue.Sequence(items, Location(start.Start), path);
    }

    private ConfigValue ReadMapping(MappingStart start, string path)
    {
        List<ConfigProperty> properties = [];
        List<ConfigProperty> merged = [];
        while (!_parser.TryConsume<MappingEnd>(out _))
        {
            if (_parser.Current is not Scalar key)
            {
                var at = _parser.Current!.Start;
                _errors.Add(ConfigurationErrorCode.Syntax, path, Location(at), "Mapping keys must be plain names, not mappings, sequences or aliases.");
                ReadNode(path); // skip the key
                ReadNode(path); // and its value
                continue;
            }

            _parser.MoveNext();
            var name = key.Value;
            var valuePath = ConfigPath.Child(path, name);
            if (name == MergeKey && key.Style == ScalarStyle.Plain)
            {
                Merge(ReadNode(valuePath), merged);
                continue;
            }

            var value = ReadNode(valuePath);
            if (properties.Any(p => p.Name == name))
            {
                _errors.Add(ConfigurationErrorCode.DuplicateKey, valuePath, Location(key.Start), $"Duplicate key '{name}': each key may appear once in a mapping.");
                continue;
            }

            properties.Add(new ConfigProperty(name, value, Location(key.Start)));
        }

        // Merged keys (<<: *defaults) fill in what the mapping does not set itself.
        foreach (var property in merged)
        {
            if (!properties.Any(p => p.Name == property.Name))
            {
                properties.Add(new ConfigProperty(property.Name, property.Value.WithPath(ConfigPath.Child(path, property.Name)), property.NameLocation));
            }
        }

        return ConfigValue.Mapping(properties, Location(start.Start), path);
    }

    private void Merge(ConfigValue source, List<ConfigProperty> merged)
    {
        var sources = source.Kind == ConfigValueKind.Sequence ? source.Items : [source];
        foreach (var mapping in sources)
        {
            if (mapping.Kind != ConfigValueKind.Mapping)
            {
                _errors.Add(ConfigurationErrorCode.Syntax, source.Path, source.Location, "A merge key '<<' takes a mapping or a sequence of mappings (usually an alias such as *defaults).");
                continue;
            }

            foreach (var property in mapping.Properties)
            {
                if (!merged.Any(p => p.Name == property.Name))
                {
                    merged.Add(property);
                }
            }
        }
    }
}
