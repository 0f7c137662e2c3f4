using System.Globalization;
using DataWeaver.Errors;
using Npgsql;

namespace DataWeaver.PostgreSql.Failover;

/// <summary>
/// One holding of a <see cref="PostgresLease"/>: its <see cref="Epoch"/>, renewed in the background every
/// <see cref="PostgresLeaseOptions.RenewInterval"/> until it is released or lost. It is lost when a renewal is refused (the
/// lease expired on the server, or another instance holds it) or when no renewal succeeded before the lease would expire
/// (counted by this instance's clock from the moment it sent its last successful renewal, which is never later than the
/// server's expiry); then <see cref="Token"/> is cancelled and <see cref="Ended"/> completes. Whatever is written under the
/// grant should be fenced by it: <see cref="PostgresCheckpointStoreOptions.Fence"/> and
/// <see cref="FenceConnectionString"/>.
/// </summary>
public sealed class PostgresLeaseGrant : IAsyncDisposable
{
    private readonly PostgresLease _lease;
    private readonly CancellationTokenSource _ended = new();
    private readonly TaskCompletionSource _endedTask = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopRenewing = new();
    private readonly Lock _lock = new();
    private long _deadline;
    private int _state; // 0 held, 1 released, 2 lost
    private string? _lossReason;
    private Task _renewing = Task.CompletedTask;

    internal PostgresLeaseGrant(PostgresLease lease, long epoch, long sentTimestamp)
    {
        _lease = lease;
        Epoch = epoch;
        _deadline = sentTimestamp + ToTicks(lease.Options.Duration, lease.Options.TimeProvider);
    }

    /// <summary>Gets the lease's name.</summary>
    public string Name => _lease.Options.Name;

    /// <summary>Gets this instance's id, the lease's holder.</summary>
    public string InstanceId => _lease.Options.InstanceId;

    /// <summary>Gets the epoch held: one more than the epoch of the holding before.</summary>
    public long Epoch { get; }

    /// <summary>Gets a token cancelled when the grant ends: lost, or released.</summary>
    public CancellationToken Token => _ended.Token;

    /// <summary>Gets a task that completes when the grant ends: lost, or released. It never faults.</summary>
    public Task Ended => _endedTask.Task;

    /// <summary>Gets a value indicating whether this instance still holds the lease under this grant.</summary>
    public bool IsHeld => Volatile.Read(ref _state) == 0;

    /// <summary>Gets a value indicating whether the grant was lost (rather than released).</summary>
    public bool IsLost => Volatile.Read(ref _state) == 2;

    /// <summary>Gets why the grant was lost; <see langword="null"/> unless <see cref="IsLost"/>.</summary>
    public string? LossReason
    {
        get
        {
            lock (_lock)
            {
                return _lossReason;
            }
        }
    }

    /// <summary>Gets the time left before this instance must stop, by its own clock; zero once ended.</summary>
    public TimeSpan Remaining
    {
        get
        {
            if (!IsHeld)
            {
                return TimeSpan.Zero;
            }

            var left = Interlocked.Read(ref _deadline) - _lease.Options.TimeProvider.GetTimestamp();
            return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(left / (double)_lease.Options.TimeProvider.TimestampFrequency);
        }
    }

    internal string QuotedTable => _lease.QuotedTable;

    /// <summary>
    /// Returns <paramref name="connectionString"/> with session settings that name this grant
    /// (<c>dataweaver.lease_holder</c>, <c>dataweaver.lease_epoch</c>, added to its <c>Options</c>), which the fence trigger of
    /// <see cref="PostgresLease.InstallFenceAsync"/> checks, and with <c>idle_in_transaction_session_timeout</c> set to the
    /// lease's duration, so that a transaction of a paused instance cannot hold up a take-over longer than that. Give it to
    /// the sinks that write to fenced tables.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <returns>The connection string for writes under this grant.</returns>
    public string FenceConnectionString(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = PostgresLease.Join(builder.Options, string.Create(
            CultureInfo.InvariantCulture,
            $"-c dataweaver.lease_holder={InstanceId} -c dataweaver.lease_epoch={Epoch} -c idle_in_transaction_session_timeout={(long)_lease.Options.Duration.TotalMilliseconds}"));
        return builder.ConnectionString;
    }

    /// <summary>
    /// Stops renewing and lets the lease expire now (if this grant still holds it), so a standby takes over at once. Stop
    /// writing under the grant first. Idempotent.
    /// </summary>
    /// <param name="cancellationToken">Aborts the release (the lease then expires by itself).</param>
    /// <returns>A task that completes once released.</returns>
    /// <exception cref="DataWeaverException">The server failed; the lease expires by itself.</exception>
    public async ValueTask ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            return;
        }

        await _stopRenewing.CancelAsync().ConfigureAwait(false);
        try
        {
            await _renewing.ConfigureAwait(false);
            await _lease.ReleaseAsync(Epoch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException and not DataWeaverException)
        {
            throw PostgresErrors.Map(error, $"Releasing the lease '{Name}'");
        }
        finally
        {
            End(null);
        }
    }

    /// <summary>Releases the grant (see <see cref="ReleaseAsync"/>), ignoring a server that cannot be reached.</summary>
    /// <returns>A task that completes once released.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
        catch (DataWeaverException)
        {
            // Not released: it expires by itself.
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"lease '{Name}' epoch {Epoch} held by {InstanceId}{(IsLost ? " (lost)" : IsHeld ? "" : " (released)")}");

    internal void StartRenewing() => _renewing = Task.Run(RenewLoopAsync);

    /// <summary>A fenced write was refused: the grant is lost.</summary>
    internal void ReportFenced() => Lose("a write under the lease was refused by its fence: another instance holds a newer epoch, or the lease expired.");

    private static long ToTicks(TimeSpan span, TimeProvider time) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private async Task RenewLoopAsync()
    {
        var options = _lease.Options;
        var time = options.TimeProvider;
        var stop = _stopRenewing.Token;
        var wait = options.EffectiveRenewInterval;
        while (true)
        {
            var remaining = Interlocked.Read(ref _deadline) - time.GetTimestamp();
            var delay = TimeSpan.FromSeconds(Math.Max(0, remaining) / (double)time.TimestampFrequency);
            try
            {
                await Task.Delay(wait < delay ? wait : delay, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var sent = time.GetTimestamp();
            remaining = Interlocked.Read(ref _deadline) - sent;
            if (remaining <= 0)
            {
                Lose(string.Create(CultureInfo.InvariantCulture, $"no renewal succeeded within {options.Duration.TotalSeconds:0.###} s (the server could not be reached in time, or this process was paused)."));
                return;
            }

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(remaining / (double)time.TimestampFrequency), time);
            using var link = timeout.Token.Register(static state => ((CancellationTokenSource)state!).Cancel(), attempt);
            try
            {
                if (await _lease.RenewAsync(Epoch, attempt.Token).ConfigureAwait(false))
                {
                    Interlocked.Exchange(ref _deadline, sent + ToTicks(options.Duration, time));
                    wait = options.EffectiveRenewInterval;
                }
                else
                {
                    Lose("the renewal was refused: the lease expired on the server, or another instance took it over.");
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                PostgresLeaseLog.RenewFailed(_lease.Logger, Name, InstanceId, Epoch, error is OperationCanceledException ? "timed out" : PostgresErrors.Describe(error));
                wait = options.RetryInterval < options.EffectiveRenewInterval ? options.RetryInterval : options.EffectiveRenewInterval;
            }
        }
    }

    private void Lose(string reason)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 0) != 0)
        {
            return;
        }

        lock (_lock)
        {
            _lossReason = reason;
        }

        _stopRenewing.Cancel();
        End(reason);
    }

    private void End(string? lossReason)
    {
        _lease.OnEnded(this, lossReason);
        _ended.Cancel();
        _endedTask.TrySetResult();
    }
}
