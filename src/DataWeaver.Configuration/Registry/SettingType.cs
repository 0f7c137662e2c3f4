namespace DataWeaver.Configuration;

/// <summary>The type of a connector, framework, format or transform setting, as a <see cref="SettingDescriptor"/> declares it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The types are named after the values files hold.")]
public enum SettingType
{
    /// <summary>Any scalar, read as text.</summary>
    String,

    /// <summary>An integer.</summary>
    Integer,

    /// <summary>A number.</summary>
    Number,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A duration such as <c>50ms</c>, <c>5s</c>, <c>2m</c>.</summary>
    Duration,

    /// <summary>A size: bytes, or a number and a unit such as <c>64MiB</c>.</summary>
    Size,

    /// <summary>A file or folder path; relative paths resolve against <see cref="PipelineFactoryOptions.BaseDirectory"/>.</summary>
    Path,

    /// <summary>A sequence of scalars, read as text.</summary>
    StringList,

    /// <summary>A mapping.</summary>
    Mapping,

    /// <summary>A sequence of anything.</summary>
    Sequence,

    /// <summary>Anything: the connector checks it itself.</summary>
    Any,
}
