namespace DataWeaver.Configuration.Tests.Support;

/// <summary>An injectable environment for ${NAME} references.</summary>
internal static class Env
{
    public static Func<string, string?> Of(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.GetValueOrDefault(name);
    }

    public static readonly Func<string, string?> Empty = _ => null;
}
