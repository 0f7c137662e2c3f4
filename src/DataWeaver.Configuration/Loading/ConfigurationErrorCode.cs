namespace DataWeaver.Configuration;

/// <summary>The values of <see cref="ConfigurationError.Code"/>.</summary>
public static class ConfigurationErrorCode
{
    /// <summary>The file cannot be read (missing, no permission).</summary>
    public const string File = "file";

    /// <summary>The file is not well-formed YAML or JSON.</summary>
    public const string Syntax = "syntax";

    /// <summary>A key appears twice in one mapping.</summary>
    public const string DuplicateKey = "duplicate-key";

    /// <summary>A value has the wrong type (a string where a number belongs).</summary>
    public const string Type = "type";

    /// <summary>A required key is missing.</summary>
    public const string Required = "required";

    /// <summary>A key the schema does not know (usually a typo; the message suggests the closest key).</summary>
    public const string UnknownKey = "unknown-key";

    /// <summary>A value is not one of the allowed values, or not the one allowed value.</summary>
    public const string NotAllowed = "not-allowed";

    /// <summary>A number is out of its range, or a list has too few or too many items.</summary>
    public const string Range = "range";

    /// <summary>A string does not have the expected form (a duration such as <c>5s</c>, a size such as <c>64MiB</c>, a name).</summary>
    public const string Pattern = "pattern";

    /// <summary>A value matches none of its alternatives (a transform that is none of the known ones).</summary>
    public const string NoAlternative = "no-alternative";

    /// <summary>An environment variable a <c>${NAME}</c> refers to is not set and has no default.</summary>
    public const string UnsetVariable = "unset-variable";

    /// <summary>A connector type (source, sink, dead-letter target) is not registered.</summary>
    public const string UnknownConnector = "unknown-connector";

    /// <summary>A stream framework type is not registered.</summary>
    public const string UnknownFramework = "unknown-framework";

    /// <summary>A <c>code</c> transform's name is not registered.</summary>
    public const string UnknownTransform = "unknown-transform";

    /// <summary>A format is not registered, or the connector does not support it.</summary>
    public const string UnknownFormat = "unknown-format";

    /// <summary>A connector setting its descriptor does not declare.</summary>
    public const string UnknownSetting = "unknown-setting";

    /// <summary>A connector setting its descriptor requires is missing.</summary>
    public const string MissingSetting = "missing-setting";

    /// <summary>Two pipelines of one file have the same name, or two connectors of one pipeline.</summary>
    public const string DuplicateName = "duplicate-name";

    /// <summary>Keys that contradict each other (<c>onFailure: dead-letter</c> without a <c>deadLetter</c> target, two sinks writing one file).</summary>
    public const string Conflict = "conflict";

    /// <summary>A value that is well-formed but unusable (an unclosed template placeholder, an operator without its operand).</summary>
    public const string InvalidValue = "invalid-value";

    /// <summary>A connector, framework or transform factory refused its settings when the pipeline was created.</summary>
    public const string Construction = "construction";

    /// <summary>A file beyond a loader limit: larger than 16 MiB, nested more than 64 levels deep, or expanding to more than 100,000 values through YAML aliases.</summary>
    public const string Limit = "limit";
}
