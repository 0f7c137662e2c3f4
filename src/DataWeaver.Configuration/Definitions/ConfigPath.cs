using System.Globalization;

namespace DataWeaver.Configuration;

/// <summary>Builds key paths such as <c>pipelines[0].sinks[1].settings.path</c>.</summary>
internal static class ConfigPath
{
    /// <summary>The path of a mapping key: <c>parent.key</c>, or <c>parent['a.b']</c> for keys that are not plain names.</summary>
    public static string Child(string parent, string key)
    {
        var plain = key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '$');
        return plain
            ? (parent.Length == 0 ? key : parent + "." + key)
            : parent + "['" + key.Replace("'", "\\'", StringComparison.Ordinal) + "']";
    }

    /// <summary>The path of a sequence item: <c>parent[index]</c>.</summary>
    public static string Item(string parent, int index) => parent + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";
}
