using System.Globalization;
using DataWeaver.Configuration.Internal;
using DataWeaver.Configuration.Internal.Messages;

namespace DataWeaver.Configuration.Loading.Internal;

/// <summary>Connectors, frameworks, formats and settings of <see cref="DefinitionReader"/>.</summary>
internal sealed partial class DefinitionReader
{
    private FrameworkDefinition ReadFramework(ConfigValue node)
    {
        var type = Text(node["type"]) ?? string.Empty;
        var settings = SettingsOf(node);
        if (type.Length > 0 && !errors.HasAt(node.Path + ".type"))
        {
            var registration = registry.FindFramework(type);
            if (registration is null)
            {
                Unknown(ConfigurationErrorCode.UnknownFramework, node["type"]!, "stream framework", registry.FrameworkTypes, "ConnectorRegistry.RegisterFramework");
            }
            else
            {
                type = registration.Name;
                settings = CheckSettings(settings, registration.Descriptor, $"framework '{type}'");
            }
        }

        return new FrameworkDefinition { Type = type, Settings = settings, Path = node.Path, Location = node.Location };
    }

    /// <summary>Reads one connector given in code (<see cref="PipelineManager.CreateConnector"/>), with the checks a file gets.</summary>
    public ConnectorDefinition ReadStandalone(ConfigValue node, ConnectorRole role) => ReadConnector(node, role, null);

    private static ConnectorDefinition Placeholder(ConfigValue pipeline, string key, ConnectorRole role) =>
        new() { Type = string.Empty, Name = key, Role = role, Settings = ConfigValue.Mapping([], pipeline.Location), Path = ConfigPath.Child(pipeline.Path, key), Location = pipeline.Location };

    private ConnectorDefinition ReadConnector(ConfigValue node, ConnectorRole role, HashSet<string>? names)
    {
        var typeNode = node["type"];
        var type = Text(typeNode) ?? string.Empty;
        var settings = SettingsOf(node);
        var format = ReadFormat(node["format"], node);
        var key = Text(node["key"]);
        var metadata = node["metadata"] is { Kind: ConfigValueKind.Boolean, Text: "true" };
        var headers = ReadHeaders(node["headers"]);
        ConnectorDescriptor? descriptor = null;
        var payloads = false;
        var known = typeNode is not null && type.Length > 0 && !errors.HasAt(typeNode.Path);
        if (known)
        {
            var (name, descriptorFound, isPayload, found) = role == ConnectorRole.Source
                ? registry.FindSource(type) is { } s ? (s.Name, s.Descriptor, s.Payloads is not null, true) : (type, null, false, false)
                : registry.FindSink(type) is { } k ? (k.Name, k.Descriptor, k.Payloads is not null, true) : (type, null, false, false);
            if (!found)
            {
                Unknown(ConfigurationErrorCode.UnknownConnector, typeNode!, RoleName(role), role == ConnectorRole.Source ? registry.SourceTypes : registry.SinkTypes, role == ConnectorRole.Source ? "ConnectorRegistry.RegisterSource" : "ConnectorRegistry.RegisterSink");
                known = false;
            }
            else
            {
                type = name;
                descriptor = descriptorFound;
                payloads = isPayload;
                settings = CheckSettings(settings, descriptor, $"{RoleName(role)} '{type}'");
            }
        }

        if (known)
        {
            CheckFormat(node, format, descriptor, role, payloads, type);
            if (key is not null && (role == ConnectorRole.Source || !payloads))
            {
                errors.Add(ConfigurationErrorCode.Conflict, node["key"]!, $"'key' keys the messages of sinks of messages (such as stream); '{type}' writes records, not messages.");
            }

            CheckMessageOptions(node, role, payloads, type);

            CheckOutputs(settings, descriptor);
        }

        return new ConnectorDefinition
        {
            Type = type,
            Name = ConnectorName(node, type, role, names),
            Role = role,
            Format = format,
            Key = key,
            Headers = headers,
            Metadata = metadata,
            Settings = settings,
            Path = node.Path,
            Location = node.Location,
        };
    }

    private static List<KeyValuePair<string, string>>? ReadHeaders(ConfigValue? node) =>
        node is { Kind: ConfigValueKind.Mapping } ? [.. node.Properties.Where(p => p.Value.Kind == ConfigValueKind.String).Select(p => new KeyValuePair<string, string>(p.Name, p.Value.Text!))] : null;

    /// <summary>Checks <c>metadata</c>, <c>headers</c> and the templates of <c>key</c> and <c>headers</c> (messages only).</summary>
    private void CheckMessageOptions(ConfigValue node, ConnectorRole role, bool payloads, string type)
    {
        if (node["metadata"] is { } metadata && (role != ConnectorRole.Source || !payloads))
        {
            errors.Add(ConfigurationErrorCode.Conflict, metadata, $"'metadata' exposes the message metadata of sources of messages (such as stream or kafka); '{type}' {(role == ConnectorRole.Source ? "reads records, not messages" : "is not a source")}.");
        }

        if (node["headers"] is { } headers && (role == ConnectorRole.Source || !payloads))
        {
            errors.Add(ConfigurationErrorCode.Conflict, headers, $"'headers' sets the headers of the messages of sinks of messages (such as stream or kafka); '{type}' writes records, not messages.");
            return;
        }

        foreach (var template in new[] { node["key"] }.Concat(node["headers"]?.Properties.Select(p => p.Value) ?? []))
        {
            if (template is { Kind: ConfigValueKind.String } && !errors.HasAt(template.Path) && MessageTemplate.Check(template.Text!) is { } problem)
            {
                errors.Add(ConfigurationErrorCode.InvalidValue, template, problem);
            }
        }
    }

    internal static string RoleName(ConnectorRole role) => role switch
    {
        ConnectorRole.Source => "source",
        ConnectorRole.Sink => "sink",
        _ => "dead-letter sink",
    };

    private string ConnectorName(ConfigValue node, string type, ConnectorRole role, HashSet<string>? names)
    {
        var given = Text(node["name"]);
        var name = given ?? (role == ConnectorRole.DeadLetter ? "dead-letters" : type);
        if (names is null)
        {
            return name;
        }

        if (given is not null && names.Contains(given))
        {
            errors.Add(ConfigurationErrorCode.DuplicateName, node["name"]!, $"Duplicate sink name '{given}': give each sink of a pipeline its own name.");
        }

        for (var n = 2; given is null && names.Contains(name); n++)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{type}#{n}");
        }

        names.Add(name);
        return name;
    }

    private static ConfigValue SettingsOf(ConfigValue node) =>
        node["settings"] is { Kind: ConfigValueKind.Mapping } settings ? settings : ConfigValue.Mapping([], node.Location, ConfigPath.Child(node.Path, "settings"));

    private static FormatDefinition ReadFormat(ConfigValue? node, ConfigValue connector) => node switch
    {
        { Kind: ConfigValueKind.String } => new FormatDefinition { Name = node.Text!, Settings = ConfigValue.Mapping([], node.Location, ConfigPath.Child(node.Path, "settings")) },
        { Kind: ConfigValueKind.Mapping } when node["type"] is { Kind: ConfigValueKind.String } type => new FormatDefinition
        {
            Name = type.Text!,
            Settings = node["settings"] is { Kind: ConfigValueKind.Mapping } settings ? settings : ConfigValue.Mapping([], node.Location, ConfigPath.Child(node.Path, "settings")),
        },
        _ => FormatDefinition.Json with { Settings = ConfigValue.Mapping([], connector.Location, ConfigPath.Child(connector.Path, "format.settings")) },
    };

    private void CheckFormat(ConfigValue connector, FormatDefinition format, ConnectorDescriptor? descriptor, ConnectorRole role, bool payloads, string type)
    {
        var at = connector["format"] is { } formatNode ? (formatNode["type"] ?? formatNode) : connector;
        if (errors.HasAt(at.Path))
        {
            return;
        }

        if (descriptor?.Formats is { } supported && !supported.Contains(format.Name, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add(ConfigurationErrorCode.UnknownFormat, at, $"'{type}' does not support the format '{format.Name}'; it supports {Suggestions.List(supported)}.");
            return;
        }

        var registration = registry.FindFormat(format.Name);
        if (registration is not null)
        {
            var settings = CheckSettings(format.Settings, registration.Descriptor, $"format '{registration.Name}'");
            if (errors.HasAtOrBelow(settings.Path))
            {
                return;
            }

            try
            {
                var resolved = registration.Factory(new ConnectorSettings(settings, baseDirectory));
                if (payloads && (role == ConnectorRole.Source ? resolved.Deserializer : (object?)resolved.Serializer) is null)
                {
                    errors.Add(ConfigurationErrorCode.UnknownFormat, at, $"The format '{format.Name}' cannot {(role == ConnectorRole.Source ? "read" : "write")} records.");
                }
            }
            catch (PipelineDefinitionException exception)
            {
                Add(exception.Errors);
            }

            return;
        }

        if (registry.Serializers.TryGetFactory(format.Name, out var factory))
        {
            var request = new Serialization.SerializerRequest(format.Name, new ConnectorSettings(format.Settings, baseDirectory).ToFlatDictionary());
            try
            {
                var handles = role == ConnectorRole.Source
                    ? factory.CreateDeserializer<Serialization.Json.JsonRecord>(request) is not null
                    : factory.CreateSerializer<Serialization.Json.JsonRecord>(request) is not null;
                if (!handles)
                {
                    errors.Add(ConfigurationErrorCode.UnknownFormat, at, $"The format '{format.Name}' handles {factory.SupportedTypes}, not the JSON records pipelines from files carry; register a JSON record format with ConnectorRegistry.RegisterFormat.");
                }
            }
            catch (Serialization.SerializerConfigurationException exception)
            {
                errors.Add(ConfigurationErrorCode.InvalidValue, at, exception.Message);
            }

            return;
        }

        Unknown(ConfigurationErrorCode.UnknownFormat, at, "format", registry.FormatNames, "ConnectorRegistry.RegisterFormat");
    }

    /// <summary>Checks settings against a descriptor; returns them with the descriptor's secret settings marked secret.</summary>
    private ConfigValue CheckSettings(ConfigValue settings, ConnectorDescriptor? descriptor, string owner)
    {
        if (descriptor is null)
        {
            return settings;
        }

        var before = errors.Count;
        foreach (var property in settings.Properties)
        {
            var setting = descriptor.Settings.FirstOrDefault(s => s.Name == property.Name);
            if (setting is null)
            {
                if (!descriptor.AllowOtherSettings)
                {
                    var names = descriptor.Settings.Select(s => s.Name).ToList();
                    var hint = Suggestions.DidYouMean(property.Name, names);
                    errors.Add(ConfigurationErrorCode.UnknownSetting, property.Value.Path, property.NameLocation, $"The {owner} has no setting '{property.Name}'{hint}{(hint.Length == 0 ? names.Count == 0 ? "; it takes no settings" : "; its settings are " + Suggestions.List(names) : string.Empty)}.");
                }

                continue;
            }

            if (SettingChecks.Check(setting, property.Value) is { } problem)
            {
                errors.Add(problem.Code, property.Value, problem.Message);
            }
        }

        foreach (var missing in descriptor.Settings.Where(s => s.Required && !settings.TryGetProperty(s.Name, out _)))
        {
            errors.Add(ConfigurationErrorCode.MissingSetting, ConfigPath.Child(settings.Path, missing.Name), settings.Location, $"The {owner} needs the setting '{missing.Name}'{(missing.Description is null ? string.Empty : ": " + missing.Description.TrimEnd('.'))}.");
        }

        var marked = MarkSecrets(settings, descriptor);
        if (errors.Count == before && descriptor.Validate is { } validate)
        {
            Add(validate(new ConnectorSettings(marked, baseDirectory)));
        }

        return marked;
    }

    private ConfigValue MarkSecrets(ConfigValue settings, ConnectorDescriptor descriptor)
    {
        if (!descriptor.Settings.Any(s => s.Secret))
        {
            return settings;
        }

        var properties = settings.Properties.Select(p => descriptor.Settings.Any(s => s.Secret && s.Name == p.Name)
            ? new ConfigProperty(p.Name, Secret(p.Value), p.NameLocation)
            : p).ToList();
        return settings.WithChildren([], properties);
    }

    private ConfigValue Secret(ConfigValue value)
    {
        if (value.IsScalar)
        {
            if (value.Text is { Length: > 0 } text)
            {
                secrets.Add(text);
            }

            return value.WithSecret();
        }

        return value.WithChildren([.. value.Items.Select(Secret)], [.. value.Properties.Select(p => new ConfigProperty(p.Name, Secret(p.Value), p.NameLocation))]);
    }

    /// <summary>Refuses a second connector writing the same file (in the whole file: pipelines run side by side).</summary>
    private void CheckOutputs(ConfigValue settings, ConnectorDescriptor? descriptor)
    {
        foreach (var setting in descriptor?.Settings.Where(s => s.Output) ?? [])
        {
            if (settings[setting.Name] is not { Kind: ConfigValueKind.String, Text.Length: > 0 } value || errors.HasAt(value.Path))
            {
                continue;
            }

            var full = new ConnectorSettings(settings, baseDirectory).ResolvePath(value.Text!);
            if (_outputs.TryGetValue(full, out var first))
            {
                errors.Add(ConfigurationErrorCode.Conflict, value, $"{(value.IsSecret ? ConfigValue.Mask : "'" + value.Text + "'")} is already written by {first.Path} (line {first.Location.Line}); two connectors writing one file would interleave their records.");
            }
            else
            {
                _outputs[full] = (value.Path, value.Location);
            }
        }
    }

    private void Unknown(string code, ConfigValue at, string kind, IReadOnlyList<string> known, string register)
    {
        var name = at.Text ?? string.Empty;
        var hint = Suggestions.DidYouMean(name, known);
        errors.Add(code, at, $"Unknown {kind} '{name}'{hint}{(hint.Length > 0 ? string.Empty : known.Count == 0 ? $"; none is registered ({register})" : "; registered: " + Suggestions.List(known))}.");
    }

    private void Add(IEnumerable<ConfigurationError> problems)
    {
        foreach (var problem in problems)
        {
            errors.Add(problem.Code, problem.Path, problem.Location, problem.Message);
        }
    }
}
