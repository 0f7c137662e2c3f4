using Microsoft.Extensions.Logging;

namespace DataWeaver.PostgreSql.Failover;

/// <summary>The lease's log lines (names, instance ids and epochs only; never a connection string).</summary>
internal static partial class PostgresLeaseLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Lease '{Lease}': {Instance} is active (epoch {Epoch}).")]
    public static partial void Acquired(ILogger logger, string lease, string instance, long epoch);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Lease '{Lease}': {Instance} is standby; {Holder} holds epoch {Epoch} until {ExpiresAt:O}.")]
    public static partial void Standby(ILogger logger, string lease, string instance, string holder, long epoch, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Lease '{Lease}': {Instance} could not renew epoch {Epoch} ({Error}); it tries again until the lease expires.")]
    public static partial void RenewFailed(ILogger logger, string lease, string instance, long epoch, string error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Lease '{Lease}': {Instance} lost epoch {Epoch}: {Reason}")]
    public static partial void Lost(ILogger logger, string lease, string instance, long epoch, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Lease '{Lease}': {Instance} released epoch {Epoch}.")]
    public static partial void Released(ILogger logger, string lease, string instance, long epoch);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Lease '{Lease}': {Instance} could not ask for the lease ({Error}); it asks again.")]
    public static partial void AcquireFailed(ILogger logger, string lease, string instance, string error);
}
