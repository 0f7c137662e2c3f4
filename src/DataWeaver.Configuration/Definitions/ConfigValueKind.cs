namespace DataWeaver.Configuration;

/// <summary>The kind of a <see cref="ConfigValue"/>, after YAML's core schema (plain scalars) or JSON's token types.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The kinds are named after YAML's and JSON's own types.")]
public enum ConfigValueKind
{
    /// <summary>A null (<c>null</c>, <c>~</c> or an empty value in YAML).</summary>
    Null,

    /// <summary>A string.</summary>
    String,

    /// <summary>An integer (YAML also accepts <c>0x</c> hexadecimal and <c>0o</c> octal, normalized to decimal).</summary>
    Integer,

    /// <summary>A number with a fraction or exponent.</summary>
    Number,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A mapping (a JSON object): keys in file order.</summary>
    Mapping,

    /// <summary>A sequence (a JSON array).</summary>
    Sequence,
}
