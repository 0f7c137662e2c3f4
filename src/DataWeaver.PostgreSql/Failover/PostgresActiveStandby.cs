using DataWeaver.Errors;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using Npgsql;

namespace DataWeaver.PostgreSql.Failover;

/// <summary>
/// Runs a pipeline on one instance at a time: <see cref="RunAsync"/> waits as a standby until it acquires the lease, then
/// builds the pipeline for that grant (so its checkpoint store and sinks are fenced by its epoch) and runs it in a
/// <see cref="PipelineHost"/>. When the lease is lost (not renewed in time, taken over, or a fenced write refused) the run
/// is aborted at once and the instance goes back to standby; when the run ends by itself, or the stopping token asks for a
/// stop (the run drains), the lease is released so a standby takes over without waiting for it to expire.
/// </summary>
/// <remarks>
/// Everything the pipeline commits must be fenced by the grant the factory receives: a
/// <see cref="PostgresCheckpointStore"/> with <see cref="PostgresCheckpointStoreOptions.Fence"/>
/// (or a source whose position the slot keeps, which one session at a time can use), and sinks whose tables have
/// <see cref="PostgresLease.InstallFenceAsync"/> and connect with <see cref="PostgresLeaseGrant.FenceConnectionString"/>.
/// In a Generic Host, call <see cref="RunAsync"/> from a <c>BackgroundService</c> with its stopping token.
/// </remarks>
public sealed class PostgresActiveStandby
{
    private readonly Func<PostgresLeaseGrant, Pipeline> _factory;
    private readonly Lock _lock = new();
    private PostgresActiveStandbyState _state;
    private PipelineHost? _host;
    private int _activations;

    /// <summary>Creates the runner.</summary>
    /// <param name="lease">The lease; the runner acquires and releases it, the caller disposes it.</param>
    /// <param name="factory">Builds the pipeline for a grant, on each activation (and restart); what it throws fails the activation.</param>
    /// <param name="options">The host's options and what to do after a loss; <see langword="null"/> uses the defaults.</param>
    public PostgresActiveStandby(PostgresLease lease, Func<PostgresLeaseGrant, Pipeline> factory, PostgresActiveStandbyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(factory);
        Lease = lease;
        _factory = factory;
        Options = (options ?? new PostgresActiveStandbyOptions()) with { };
        Options.Host.Validate();
    }

    /// <summary>
    /// Occurs after every change of <see cref="State"/>, on the thread that made it. Handlers MUST NOT block; what they
    /// throw is ignored.
    /// </summary>
    public event EventHandler<PostgresActiveStandbyStateChangedEventArgs>? StateChanged;

    /// <summary>Gets the lease.</summary>
    public PostgresLease Lease { get; }

    /// <summary>Gets the options.</summary>
    public PostgresActiveStandbyOptions Options { get; }

    /// <summary>Gets where the runner is.</summary>
    public PostgresActiveStandbyState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Gets the host of the latest activation; <see langword="null"/> before the first.</summary>
    public PipelineHost? Host
    {
        get
        {
            lock (_lock)
            {
                return _host;
            }
        }
    }

    /// <summary>Gets how many times this instance became active.</summary>
    public int Activations
    {
        get
        {
            lock (_lock)
            {
                return _activations;
            }
        }
    }

    /// <summary>
    /// Waits for the lease, runs the pipeline while it is held, goes back to standby after a loss (see
    /// <see cref="PostgresActiveStandbyOptions.StandbyAfterLoss"/>), and ends when the pipeline ends by itself or
    /// <paramref name="stoppingToken"/> asks for a stop (a drain, then the lease is released).
    /// </summary>
    /// <param name="stoppingToken">Asks for a stop.</param>
    /// <returns>The state the last run ended in; <see cref="PipelineState.Stopped"/> when stopped while standby.</returns>
    /// <exception cref="InvalidOperationException">The runner was run already.</exception>
    /// <exception cref="DataWeaverException">The lease cannot be asked for (a fatal error: a wrong password, a permission refused).</exception>
    public async Task<PipelineState> RunAsync(CancellationToken stoppingToken = default)
    {
        lock (_lock)
        {
            if (_state != PostgresActiveStandbyState.Created)
            {
                throw new InvalidOperationException("A PostgresActiveStandby runs once; create another one.");
            }
        }

        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopRegistration = stoppingToken.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), stopping);
        string? reason = null;
        while (true)
        {
            SetState(PostgresActiveStandbyState.Standby, 0, reason);
            PostgresLeaseGrant grant;
            try
            {
                grant = await Lease.AcquireAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                SetState(PostgresActiveStandbyState.Ended, 0, null);
                return PipelineState.Stopped;
            }

            var host = new PipelineHost(Options.Name ?? Lease.Options.Name, () => _factory(grant), Options.Host);
            lock (_lock)
            {
                _host = host;
                _activations++;
            }

            SetState(PostgresActiveStandbyState.Active, grant.Epoch, null);
            host.Start();
            var first = await Task.WhenAny(host.Completion, grant.Ended, stopping.Task).ConfigureAwait(false);
            if (first == stopping.Task && grant.IsHeld)
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await ReleaseAsync(grant).ConfigureAwait(false);
                SetState(PostgresActiveStandbyState.Ended, 0, null);
                return host.State;
            }

            if (!host.Completion.IsCompleted)
            {
                host.Abort(); // the lease is lost: stop writing at once
                await host.Completion.ConfigureAwait(false);
            }
            else if (grant.IsHeld && IsFenceRefusal(host.LastError))
            {
                grant.ReportFenced();
            }

            if (grant.IsLost)
            {
                reason = grant.LossReason;
                if (Options.StandbyAfterLoss && !stoppingToken.IsCancellationRequested)
                {
                    continue;
                }

                SetState(PostgresActiveStandbyState.Ended, 0, reason);
                return host.State;
            }

            await ReleaseAsync(grant).ConfigureAwait(false);
            SetState(PostgresActiveStandbyState.Ended, 0, null);
            return host.State;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Options.Name ?? Lease.Options.Name}: {State}";

    /// <summary>Whether a run failed because a fenced write or save was refused (the lease was no longer held on the server).</summary>
    internal static bool IsFenceRefusal(Exception? error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is PostgresLeaseLostException or PostgresException { SqlState: PostgresLeaseLostException.FenceSqlState })
            {
                return true;
            }

            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsFenceRefusal))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task ReleaseAsync(PostgresLeaseGrant grant)
    {
        try
        {
            await grant.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (DataWeaverException)
        {
            // Not released: it expires by itself and a standby takes over then.
        }
    }

    private void SetState(PostgresActiveStandbyState state, long epoch, string? reason)
    {
        PostgresActiveStandbyState previous;
        lock (_lock)
        {
            previous = _state;
            _state = state;
        }

        if (previous == state)
        {
            return;
        }

        try
        {
            StateChanged?.Invoke(this, new PostgresActiveStandbyStateChangedEventArgs(previous, state, epoch, reason));
        }
#pragma warning disable CA1031 // a handler's failure must not stop the runner
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
