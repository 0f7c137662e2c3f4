using DataWeaver.Errors;

namespace DataWeaver.Joins;

/// <summary>
/// A lookup join found no table entry for a record's key, and its <see cref="LookupJoinOptions.OnMissing"/> is
/// <see cref="LookupMissingKey.DeadLetter"/>. A data error: the stage's error policy dead-letters, skips or fails the record.
/// The message names the table, never the key (which may be personal data).
/// </summary>
public sealed class LookupKeyNotFoundException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="stage">The stage's name.</param>
    /// <param name="table">The table's name.</param>
    /// <param name="tableVersion">The table version the record was joined against (1 for the first load).</param>
    public LookupKeyNotFoundException(string stage, string table, long tableVersion)
        : base(ErrorClass.Data, $"Lookup join '{stage}': the record's key is not in table '{table}' (version {tableVersion}).")
    {
        Table = table;
        TableVersion = tableVersion;
    }

    /// <summary>Creates the exception with a message.</summary>
    public LookupKeyNotFoundException()
        : base(ErrorClass.Data, "The record's key is not in the lookup table.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public LookupKeyNotFoundException(string message)
        : base(ErrorClass.Data, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public LookupKeyNotFoundException(string message, Exception innerException)
        : base(ErrorClass.Data, message, innerException)
    {
    }

    /// <summary>Gets the table's name, or <see langword="null"/>.</summary>
    public string? Table { get; }

    /// <summary>Gets the table version the record was joined against, or 0.</summary>
    public long TableVersion { get; }
}
