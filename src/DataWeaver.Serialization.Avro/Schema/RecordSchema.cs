namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>A record schema: a named, ordered list of fields.</summary>
public sealed class RecordSchema : NamedSchema
{
    private AvroField[] _fields = [];
    private Dictionary<string, AvroField> _byName = new(StringComparer.Ordinal);

    internal RecordSchema(string name, string? ns, IReadOnlyList<string> aliases, string? doc)
        : base(AvroType.Record, name, ns, aliases, doc)
    {
    }

    /// <summary>Gets the fields in declaration order; <see cref="AvroField.Position"/> is the index in this list.</summary>
    public IReadOnlyList<AvroField> Fields => _fields;

    /// <summary>Finds a field by its exact name.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="field">The field, when found.</param>
    /// <returns><see langword="true"/> when the record has a field of that name.</returns>
    public bool TryGetField(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AvroField? field) => _byName.TryGetValue(name, out field);

    internal void SetFields(AvroField[] fields)
    {
        _fields = fields;
        _byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }
}
