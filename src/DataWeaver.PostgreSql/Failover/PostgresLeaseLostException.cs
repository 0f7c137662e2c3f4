using DataWeaver.Errors;

namespace DataWeaver.PostgreSql.Failover;

/// <summary>
/// Thrown when an instance acts under a lease it no longer holds: a fenced checkpoint save refused, a fenced write refused
/// by the fence trigger, a renewal refused. Class <see cref="ErrorClass.Fatal"/>: the run must stop, and the instance goes
/// back to standby (see <see cref="PostgresActiveStandby"/>).
/// </summary>
public sealed class PostgresLeaseLostException : DataWeaverException
{
    /// <summary>The SQLSTATE the fence trigger raises when a write is not covered by the lease (see <see cref="PostgresLease.InstallFenceAsync"/>).</summary>
    public const string FenceSqlState = "DWL01";

    /// <summary>Creates the exception.</summary>
    /// <param name="leaseName">The lease's name.</param>
    /// <param name="epoch">The epoch the instance held.</param>
    /// <param name="message">What was refused.</param>
    /// <param name="innerException">The server's error, if any.</param>
    public PostgresLeaseLostException(string leaseName, long epoch, string message, Exception? innerException = null)
        : base(ErrorClass.Fatal, message, innerException)
    {
        LeaseName = leaseName;
        Epoch = epoch;
    }

    /// <summary>Creates the exception.</summary>
    public PostgresLeaseLostException()
        : this("", 0, "The lease is no longer held.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was refused.</param>
    public PostgresLeaseLostException(string message)
        : this("", 0, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was refused.</param>
    /// <param name="innerException">The server's error.</param>
    public PostgresLeaseLostException(string message, Exception innerException)
        : this("", 0, message, innerException)
    {
    }

    /// <summary>Gets the lease's name.</summary>
    public string LeaseName { get; }

    /// <summary>Gets the epoch the instance held when it was refused.</summary>
    public long Epoch { get; }
}
