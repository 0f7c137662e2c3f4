namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>A named schema: a record, an enum or a fixed. Named types are identified by their fullname.</summary>
public abstract class NamedSchema : AvroSchema
{
    private protected NamedSchema(AvroType type, string name, string? ns, IReadOnlyList<string> aliases, string? doc, AvroLogicalType logicalType = AvroLogicalType.None, int precision = 0, int scale = 0)
        : base(type, logicalType, precision, scale)
    {
        Name = name;
        Namespace = string.IsNullOrEmpty(ns) ? null : ns;
        FullName = Namespace is null ? name : Namespace + "." + name;
        Aliases = aliases;
        Doc = doc;
    }

    /// <summary>Gets the short name, e.g. <c>User</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the namespace, or <see langword="null"/> for the null namespace.</summary>
    public string? Namespace { get; }

    /// <summary>Gets the fullname, e.g. <c>com.example.User</c>.</summary>
    public string FullName { get; }

    /// <summary>Gets the aliases, as fullnames.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>Gets the documentation, if any.</summary>
    public string? Doc { get; }

    /// <inheritdoc />
    public override string DisplayName => FullName;

    internal bool IsNamed(string fullName)
    {
        if (FullName == fullName)
        {
            return true;
        }

        foreach (var alias in Aliases)
        {
            if (alias == fullName)
            {
                return true;
            }
        }

        return false;
    }
}
