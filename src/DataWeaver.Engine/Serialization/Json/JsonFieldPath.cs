using System.Text;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// A field name or nested path (<c>customer.address.city</c>), encoded to UTF-8 once so that looking it up in a
/// <see cref="JsonRecord"/> compares bytes and never transcodes. Create paths once (when a pipeline is configured)
/// and reuse them for every record. Immutable and thread-safe.
/// </summary>
public sealed class JsonFieldPath
{
    private JsonFieldPath(string[] names)
    {
        Names = names;
        Utf8Names = names.Select(Encoding.UTF8.GetBytes).ToArray();
        FirstNameKey = JsonFastValidator.NameKey(Utf8Names[0]);
    }

    /// <summary>Gets the names from the outermost to the field itself.</summary>
    public IReadOnlyList<string> Names { get; }

    internal byte[][] Utf8Names { get; }

    /// <summary>Gets the first name's length and first bytes as one number, to tell most names apart in one compare.</summary>
    internal int FirstNameKey { get; }

    /// <summary>Parses a dotted path: <c>customer.address.city</c> is the field <c>city</c> of the object <c>address</c> of the object <c>customer</c>.</summary>
    /// <param name="path">The path; its names are separated by <c>.</c> and none may be empty. For a name that contains a dot, use <see cref="FromNames"/>.</param>
    /// <returns>The path.</returns>
    /// <exception cref="ArgumentException">The path is empty or has an empty name.</exception>
    public static JsonFieldPath Parse(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var names = path.Split('.');
        if (names.Any(n => n.Length == 0))
        {
            throw new ArgumentException($"The field path '{path}' has an empty name.", nameof(path));
        }

        return new JsonFieldPath(names);
    }

    /// <summary>Creates a path from its names, taken literally (a name may contain dots).</summary>
    /// <param name="names">The names from the outermost to the field itself; at least one, none empty.</param>
    /// <returns>The path.</returns>
    /// <exception cref="ArgumentException">No names were given, or one is empty.</exception>
    public static JsonFieldPath FromNames(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Length == 0 || names.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A field path needs at least one name, and no name may be empty.", nameof(names));
        }

        return new JsonFieldPath([.. names]);
    }

    /// <summary>Returns the names joined by dots.</summary>
    /// <returns>The dotted path.</returns>
    public override string ToString() => string.Join('.', Names);
}
