namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>An enum schema: a named, ordered set of symbols.</summary>
public sealed class EnumSchema : NamedSchema
{
    private readonly Dictionary<string, int> _indexes;

    internal EnumSchema(string name, string? ns, IReadOnlyList<string> aliases, string? doc, IReadOnlyList<string> symbols, string? defaultSymbol)
        : base(AvroType.Enum, name, ns, aliases, doc)
    {
        Symbols = symbols;
        Default = defaultSymbol;
        _indexes = new Dictionary<string, int>(symbols.Count, StringComparer.Ordinal);
        for (var i = 0; i < symbols.Count; i++)
        {
            _indexes[symbols[i]] = i;
        }
    }

    /// <summary>Gets the symbols in order; a symbol is encoded as its index in this list.</summary>
    public IReadOnlyList<string> Symbols { get; }

    /// <summary>Gets the symbol a reader uses for writer symbols it does not know, or <see langword="null"/>.</summary>
    public string? Default { get; }

    /// <summary>Gets the index of a symbol.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>The index, or -1 when the enum has no such symbol.</returns>
    public int IndexOf(string symbol) => _indexes.TryGetValue(symbol, out var i) ? i : -1;
}
