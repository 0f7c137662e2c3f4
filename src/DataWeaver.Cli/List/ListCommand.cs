using System.CommandLine;
using System.Text;
using System.Text.Json;
using DataWeaver.Configuration;

namespace DataWeaver.Cli.List;

/// <summary>
/// <c>dataweaver list [KIND] [NAME]</c>: the source, sink, framework and format types and the transforms definition files
/// may use, with their settings (type, required, secret, default, allowed values, description), from the registry's
/// descriptors and the definition schema.
/// </summary>
internal static class ListCommand
{
    /// <summary>The kinds, in the order they are listed.</summary>
    public static readonly string[] Kinds = ["sources", "sinks", "transforms", "formats", "frameworks"];

    private const string SchemaResource = "DataWeaver.Configuration.pipeline.schema.json";

    /// <summary>Creates the command.</summary>
    /// <param name="context">The process context.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var kind = new Argument<string?>("KIND") { Description = "What to list: sources, sinks, transforms, formats or frameworks; the default is all.", Arity = ArgumentArity.ZeroOrOne };
        kind.AcceptOnlyFromAmong(Kinds);
        var name = new Argument<string?>("NAME") { Description = "Only the type (or transform) of this name.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("list", "Lists the connector types, transforms, formats and stream frameworks definition files may use, with their settings.")
        {
            kind,
            name,
        };
        command.SetAction(parse => Execute(context, parse.GetValue(kind), parse.GetValue(name)));
        return command;
    }

    private static int Execute(CliContext context, string? kind, string? name)
    {
        var registry = context.Registry();
        var text = new StringBuilder();
        var found = false;
        foreach (var (section, entries) in Sections(registry))
        {
            if (kind is not null && kind != section)
            {
                continue;
            }

            var shown = entries.Where(e => name is null || string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (shown.Count == 0)
            {
                continue;
            }

            found = true;
            text.Append(section).Append('\n');
            foreach (var (entry, description, settings) in shown)
            {
                text.Append("  ").Append(entry);
                if (description is not null)
                {
                    text.Append(": ").Append(description);
                }

                text.Append('\n');
                foreach (var setting in settings)
                {
                    text.Append("    ").Append(setting).Append('\n');
                }
            }
        }

        if (!found)
        {
            context.Error.WriteLine($"nothing named '{name}'{(kind is null ? string.Empty : $" among the {kind}")}; 'dataweaver list' shows every name.");
            return ExitCodes.InvalidInput;
        }

        context.Out.Write(text.ToString());
        return ExitCodes.Success;
    }

    private static IEnumerable<(string Section, IReadOnlyList<(string Name, string? Description, IReadOnlyList<string> Settings)> Entries)> Sections(ConnectorRegistry registry)
    {
        yield return ("sources", [.. registry.SourceTypes.Select(t => Entry(t, registry.GetSourceDescriptor(t)))]);
        yield return ("sinks", [.. registry.SinkTypes.Select(t => Entry(t, registry.GetSinkDescriptor(t)))]);
        yield return ("transforms", [.. BuiltInTransforms(), .. registry.TransformNames.Select(t => Entry($"code: {t}", registry.GetTransformDescriptor(t)))]);
        yield return ("formats", [.. registry.FormatNames.Select(t => Entry(t, registry.GetFormatDescriptor(t)))]);
        yield return ("frameworks", [.. registry.FrameworkTypes.Select(t => Entry(t, registry.GetFrameworkDescriptor(t)))]);
    }

    private static (string, string?, IReadOnlyList<string>) Entry(string name, ConnectorDescriptor? descriptor) =>
        (name, descriptor?.Description, descriptor is null
            ? ["(settings not described: the connector checks them when the pipeline is built)"]
            : [.. descriptor.Settings.Select(Setting), .. descriptor.AllowOtherSettings ? ["(other settings are passed through)"] : Array.Empty<string>()]);

    /// <summary>Formats one setting: <c>name (type, required, secret): description; default X; one of: a, b</c>.</summary>
    internal static string Setting(SettingDescriptor setting)
    {
        List<string> traits = [Type(setting.Type)];
        if (setting.Required)
        {
            traits.Add("required");
        }

        if (setting.Secret)
        {
            traits.Add("secret");
        }

        if (setting.Output)
        {
            traits.Add("written");
        }

        var text = new StringBuilder($"{setting.Name} ({string.Join(", ", traits)})");
        if (setting.Description is { } description)
        {
            text.Append(": ").Append(description.TrimEnd('.'));
        }

        if (setting.Minimum is not null || setting.Maximum is not null)
        {
            text.Append(setting.Description is null ? ": " : "; ").Append(FormattableString.Invariant($"{setting.Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "..."} to {setting.Maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "..."}"));
        }

        if (setting.AllowedValues is { Count: > 0 } allowed)
        {
            text.Append("; one of: ").Append(string.Join(", ", allowed));
        }

        if (setting.Default is { } value)
        {
            text.Append("; default ").Append(value);
        }

        return text.ToString();
    }

    private static string Type(SettingType type) => type switch
    {
        SettingType.StringList => "list of strings",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The transforms of the definition schema (<c>filter</c>, <c>set</c>, ...), with the keys each takes.</summary>
    private static IEnumerable<(string, string?, IReadOnlyList<string>)> BuiltInTransforms()
    {
        using var stream = typeof(ConnectorRegistry).Assembly.GetManifestResourceStream(SchemaResource);
        if (stream is null)
        {
            yield break;
        }

        using var schema = JsonDocument.Parse(stream);
        var definitions = schema.RootElement.GetProperty("$defs");
        if (!definitions.TryGetProperty("transform", out var transform) || !transform.TryGetProperty("oneOf", out var kinds))
        {
            yield break;
        }

        foreach (var kind in kinds.EnumerateArray())
        {
            if (!kind.TryGetProperty("required", out var required) || required.GetArrayLength() != 1 || required[0].GetString() is not { } name)
            {
                continue;
            }

            var body = kind.GetProperty("properties").GetProperty(name);
            if (body.TryGetProperty("$ref", out var reference) && reference.GetString() is { } path && definitions.TryGetProperty(path.Split('/')[^1], out var target))
            {
                body = target;
            }

            var description = body.TryGetProperty("description", out var d) ? d.GetString() : null;
            List<string> keys = [];
            if (body.TryGetProperty("properties", out var properties))
            {
                var requiredKeys = body.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(k => k.GetString()).ToHashSet() : [];
                foreach (var property in properties.EnumerateObject())
                {
                    var note = property.Value.TryGetProperty("description", out var pd) ? $": {pd.GetString()?.TrimEnd('.')}" : string.Empty;
                    keys.Add($"{property.Name}{(requiredKeys.Contains(property.Name) ? " (required)" : string.Empty)}{note}");
                }
            }

            yield return (name, description, keys);
        }
    }
}
