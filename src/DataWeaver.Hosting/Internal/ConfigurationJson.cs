using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace DataWeaver.Hosting.Internal;

/// <summary>
/// Writes a configuration section as JSON for the definition loader: sections whose keys are 0, 1, 2, ... become
/// arrays, <c>true</c>/<c>false</c> booleans, plain decimal numbers numbers, every other value a string.
/// </summary>
internal static partial class ConfigurationJson
{
    public static string Write(IConfiguration section)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteChildren(writer, section.GetChildren().ToList());
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteChildren(Utf8JsonWriter writer, List<IConfigurationSection> children)
    {
        var indexes = children.Select(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).ToList();
        if (children.Count > 0 && indexes.Order().SequenceEqual(Enumerable.Range(0, children.Count)))
        {
            writer.WriteStartArray();
            foreach (var child in children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)))
            {
                WriteValue(writer, child);
            }

            writer.WriteEndArray();
            return;
        }

        writer.WriteStartObject();
        foreach (var child in children)
        {
            writer.WritePropertyName(child.Key);
            WriteValue(writer, child);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count > 0)
        {
            WriteChildren(writer, children);
        }
        else if (section.Value is null)
        {
            writer.WriteNullValue();
        }
        else if (section.Value is "true" or "false")
        {
            writer.WriteBooleanValue(section.Value == "true");
        }
        else if (PlainNumber().IsMatch(section.Value))
        {
            writer.WriteRawValue(section.Value);
        }
        else
        {
            writer.WriteStringValue(section.Value);
        }
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")]
    private static partial Regex PlainNumber();
}
