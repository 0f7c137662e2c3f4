using System.Diagnostics.CodeAnalysis;
using DataWeaver.Errors;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>What keeps a <see cref="PostgresCdcSource"/> from capturing changes.</summary>
public enum PostgresCdcFailure
{
    /// <summary>The server's <c>wal_level</c> is not <c>logical</c> (set it in postgresql.conf and restart the server).</summary>
    WalLevel,

    /// <summary>The publication does not exist and no tables were given to create it with.</summary>
    PublicationMissing,

    /// <summary>The user may not replicate (no REPLICATION attribute) or may not create the publication.</summary>
    PermissionDenied,

    /// <summary>The slot exists but is not a pgoutput slot of this database, or another session is reading it.</summary>
    SlotUnusable,
}

/// <summary>
/// A <see cref="PostgresCdcSource"/> cannot capture changes, for a reason <see cref="Failure"/> names; always
/// <see cref="ErrorClass.Fatal"/>: the server's or the user's configuration must change first.
/// </summary>
public sealed class PostgresCdcException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">What is wrong.</param>
    /// <param name="message">The message: what is wrong and how to put it right.</param>
    /// <param name="innerException">The server's error, if any.</param>
    public PostgresCdcException(PostgresCdcFailure failure, string message, Exception? innerException = null)
        : base(ErrorClass.Fatal, message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Gets what is wrong.</summary>
    public PostgresCdcFailure Failure { get; }

    [DoesNotReturn]
    internal static void Throw(PostgresCdcFailure failure, string message, Exception? innerException = null) =>
        throw new PostgresCdcException(failure, message, innerException);
}
