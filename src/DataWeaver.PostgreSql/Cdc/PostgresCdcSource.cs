using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>
/// Captures the changes of a PostgreSQL publication's tables over logical replication (pgoutput): inserts, updates,
/// deletes and truncates as <see cref="JsonRecord"/>s with the operation, the table, the change's LSN and the transaction
/// id (see docs/postgresql.md for their shape). The position is the replication slot's confirmed flush LSN on the server:
/// it moves, on each commit of the pipeline, to the end of the last transaction whose records every sink acknowledged,
/// never further; after a crash the server sends again every transaction after it, so nothing is skipped and at most the
/// transactions in flight are delivered twice.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The pipeline opens and closes the source once per run (OpenAsync, CloseAsync); CloseAsync disposes the stream, and the JSON writer holds no unmanaged resource.")]
public sealed partial class PostgresCdcSource : SourceConnector<JsonRecord>
{
    /// <summary>
    /// How many records of a transaction are held until its end: a transaction's records go out together once its commit
    /// is read, so that a stop never leaves a delivered transaction unconfirmed; a larger one goes out as it comes.
    /// </summary>
    private const int MaxHeldRecords = 1024;

    private readonly Lock _lock = new();
    private readonly Queue<(long Count, ulong Lsn)> _boundaries = new();
    private readonly List<Change> _ready = [];
    private NpgsqlDataSource? _dataSource;
    private LogicalReplicationConnection? _replication;
    private IAsyncEnumerator<PgOutputReplicationMessage>? _stream;
    private CancellationTokenSource? _streamCancel;
    private Task<bool>? _pendingMove;
    private long _emitted;
    private long _acknowledged;
    private ulong _confirmable;
    private ulong _confirmed;
    private LogicalReplicationConnection? _confirmedOn;
    private long _redeliveries;
    private (string Name, ulong Lsn)? _snapshot;
    private long _snapshotEnd = long.MaxValue;
    private bool _snapshotPending;
    private long _generation;
    private long _idleGeneration = -1;
    private long _idleEmitted;
    private bool _inTransaction;
    private ITimer? _idleTimer;

    /// <summary>Creates a source; nothing connects before <see cref="OpenAsync"/>.</summary>
    /// <param name="options">The options, copied.</param>
    /// <param name="name">The source's name; the default is <c>postgres-cdc:SLOT</c>.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every failure).</exception>
    public PostgresCdcSource(PostgresCdcOptions options, string? name = null)
        : base(name ?? "postgres-cdc:" + options?.Slot)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        Options = options with { Tables = [.. options.Tables] };
        CheckpointKey = $"postgres-cdc:{PostgresConnectionString.Describe(options.ConnectionString)}/{options.Slot}/snapshot";
    }

    /// <summary>Gets the key under which <see cref="PostgresCdcOptions.CheckpointStore"/> keeps that the initial snapshot is done.</summary>
    public string CheckpointKey { get; }

    /// <summary>Gets the options.</summary>
    public PostgresCdcOptions Options { get; }

    /// <summary>
    /// Gets the LSN the source last told the server to confirm (the end of the last transaction every sink acknowledged
    /// and the pipeline committed), as PostgreSQL writes it (<c>0/16B3748</c>); <c>0/0</c> before the source opened.
    /// </summary>
    public string ConfirmedLsn => new NpgsqlLogSequenceNumber(Volatile.Read(ref _confirmed)).ToString();

    /// <summary>
    /// Gets the slot's lag in bytes of WAL: how far the WAL the server sent (or told of in a keepalive) is ahead of
    /// <see cref="ConfirmedLsn"/>, the WAL the server keeps for this slot beyond what it must; 0 before streaming. Also
    /// the gauge <c>dataweaver.postgres.cdc.slot_lag</c> of the <c>DataWeaver</c> meter, tagged with the slot and source names.
    /// </summary>
    public long SlotLagBytes
    {
        get
        {
            var received = (ulong)(_replication?.LastReceivedLsn ?? default);
            var confirmed = Volatile.Read(ref _confirmed);
            return received > confirmed ? (long)(received - confirmed) : 0;
        }
    }

    /// <summary>Gets how many times the source connected again after losing its connection (each redelivers the unconfirmed transactions).</summary>
    public long Reconnections => Interlocked.Read(ref _redeliveries);

    /// <summary>
    /// Connects, checks <c>wal_level</c>, the user's rights and the publication (creating it for
    /// <see cref="PostgresCdcOptions.Tables"/> when missing), and creates the slot when missing.
    /// </summary>
    /// <param name="cancellationToken">Aborts the connection attempt.</param>
    /// <returns>A task that completes once ready to stream.</returns>
    /// <exception cref="PostgresCdcException">wal_level is not logical, the publication is missing, a right is missing or the slot cannot be used.</exception>
    /// <exception cref="DataWeaverException">The server cannot be reached.</exception>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _dataSource ??= NpgsqlDataSource.Create(PostgresConnectionString.WithApplicationName(Options.ConnectionString, "dataweaver:" + Name));
        lock (_lock)
        {
            _boundaries.Clear();
            _emitted = 0;
            _acknowledged = 0;
            _confirmable = 0;
        }

        _ready.Clear();
        try
        {
            var (confirmed, exists) = await PrepareAsync(cancellationToken).ConfigureAwait(false);
            _replication = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            _snapshot = null;
            _snapshotEnd = long.MaxValue;
            _snapshotPending = false;
            if (exists && Options.Snapshot && await Options.CheckpointStore!.LoadAsync(CheckpointKey, cancellationToken).ConfigureAwait(false) is not { Count: > 0 })
            {
                // The run that created the slot stopped before its snapshot was written: snapshot again, from a new slot.
                await _replication.DropReplicationSlot(Options.Slot, wait: true, cancellationToken).ConfigureAwait(false);
                exists = false;
            }

            if (!exists)
            {
                confirmed = await CreateSlotAsync(_replication, cancellationToken).ConfigureAwait(false);
            }

            Volatile.Write(ref _confirmed, confirmed);
            lock (_lock)
            {
                _confirmable = confirmed;
            }

            _idleGeneration = -1;
            _idleTimer?.Dispose();
            var period = Options.StatusInterval < TimeSpan.FromSeconds(1) ? Options.StatusInterval : TimeSpan.FromSeconds(1);
            _idleTimer = Options.TimeProvider.CreateTimer(static state => ((PostgresCdcSource)state!).AdvanceWhileIdle(), this, period, period);
            PostgresCdcMetrics.Add(this);
        }
        catch (Exception error) when (error is not OperationCanceledException and not DataWeaverException)
        {
            throw Map(error, $"Opening the PostgreSQL change data capture source {Name} on {PostgresConnectionString.Describe(Options.ConnectionString)}");
        }
    }

    /// <summary>
    /// Stops streaming and disconnects, after the server took in the last committed position: when the stream's last status
    /// update did not carry it, the slot is advanced to it (<c>pg_replication_slot_advance</c>), waiting at most 5 seconds
    /// for the slot to be released.
    /// </summary>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns>A task that completes once closed.</returns>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        PostgresCdcMetrics.Remove(this);
        _idleTimer?.Dispose();
        _idleTimer = null;
        await StopStreamAsync().ConfigureAwait(false);
        if (_dataSource is { } dataSource)
        {
            _dataSource = null;
            try
            {
                await WaitForConfirmedAsync(dataSource, Volatile.Read(ref _confirmed)).ConfigureAwait(false);
            }
            catch (Exception error) when (error is NpgsqlException or TimeoutException or IOException)
            {
                // The position is sent; the server takes it in once it can. Nothing is lost: at worst it is sent again.
            }

            await dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Streams the changes after the slot's confirmed position, for ever; reconnects after a lost connection. A pipeline
    /// reads through <see cref="CreateReader"/> instead, which hands a change with an undecodable value to the pipeline's
    /// source error policy; here such a change ends the sequence with its <see cref="PostgresCdcValueException"/>.
    /// </summary>
    /// <param name="cancellationToken">Stops reading (the stream stays open until <see cref="CloseAsync"/>, for the last commit).</param>
    /// <returns>The change records, in commit order.</returns>
    /// <exception cref="PostgresCdcValueException">A change holds a value the source cannot decode.</exception>
    public override async IAsyncEnumerable<JsonRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var change in ReadChangesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (change.Error is { } error)
            {
                throw error;
            }

            yield return change.Record;
        }
    }

    /// <summary>
    /// Reads the changes into the pipeline's buffers, record <c>n</c> of the run (counting from 0) at position <c>0@n</c>.
    /// A change holding a value the source cannot decode (see <see cref="PostgresCdcValueException"/>) is rejected to the
    /// pipeline's source error policy with the value's bytes as the server sent them (binary) and its slot, LSN, table and
    /// column in the error: dead-lettered, skipped, or failing the run (the default policy). Its position counts as read,
    /// so its transaction's end is confirmed to the server only once its dead letter is written (or it is skipped).
    /// </summary>
    /// <returns>A reader for one run.</returns>
    public override SourceReader<JsonRecord> CreateReader() => new ChangeReader(this);

    /// <summary>The changes, in commit order: records, and changes with an undecodable value.</summary>
    private async IAsyncEnumerable<Change> ReadChangesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_replication is null)
        {
            PostgresErrors.ThrowFatal($"The PostgreSQL change data capture source {Name} is not open.");
        }

        if (_snapshot is { } snapshot)
        {
            _snapshot = null;
            await foreach (var record in ReadSnapshotAsync(snapshot.Name, snapshot.Lsn, cancellationToken).ConfigureAwait(false))
            {
                _emitted++;
                yield return new Change(record);
            }

            lock (_lock)
            {
                _snapshotEnd = _emitted;
            }
        }

        var attempt = 0;
        _ready.Clear();
        while (true)
        {
            bool more;
            try
            {
                if (_stream is null)
                {
                    await StartStreamAsync(cancellationToken).ConfigureAwait(false);
                }

                if (!_inTransaction && _ready.Count == 0)
                {
                    // Everything read so far is out and no transaction is open: see AdvanceWhileIdle.
                    Volatile.Write(ref _idleEmitted, _emitted);
                    Volatile.Write(ref _idleGeneration, Volatile.Read(ref _generation));
                }

                more = await MoveNextAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _generation);
                if (more && !await DecodeAsync(_stream!.Current, _ready, _streamCancel!.Token).ConfigureAwait(false) && _ready.Count < MaxHeldRecords)
                {
                    continue; // inside a transaction: its records go out with its end
                }

                attempt = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception error) when (error is not DataWeaverException && IsTransient(error) && ++attempt < Options.MaxAttempts)
            {
                _ready.Clear(); // the server sends the unconfirmed transactions again
                _inTransaction = false;
                await StopStreamAsync().ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(200 << Math.Min(attempt, 5)), Options.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                throw Map(error, $"Streaming the changes of {Name}");
            }

            if (!more)
            {
                yield break;
            }

            for (var i = 0; i < _ready.Count; i++)
            {
                _emitted++;
                yield return _ready[i];
            }

            _ready.Clear();
        }
    }

    /// <summary>Moves the confirmable position on: every record before <paramref name="position"/> is written.</summary>
    /// <param name="position">The resume position (the ordinal of the next record of this run).</param>
    protected override void OnAcknowledged(SourcePosition position)
    {
        lock (_lock)
        {
            _acknowledged = Math.Max(_acknowledged, position.Offset);
            AdvanceLocked();
        }
    }

    /// <summary>
    /// Tells the server to confirm the end of the last transaction whose records every sink acknowledged: the slot's
    /// confirmed flush LSN, from which the server streams after a restart.
    /// </summary>
    /// <param name="positions">The resume positions of this run.</param>
    /// <param name="cancellationToken">Aborts the update.</param>
    /// <returns>A task that completes once the update is sent.</returns>
    public override async ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        foreach (var position in positions)
        {
            OnAcknowledged(position);
        }

        ulong target;
        bool snapshotWritten;
        lock (_lock)
        {
            target = _confirmable;
            snapshotWritten = _snapshotPending && _acknowledged >= _snapshotEnd;
        }

        if (snapshotWritten)
        {
            await Options.CheckpointStore!.SaveAsync(CheckpointKey, [new SourcePosition(0, 1)], cancellationToken).ConfigureAwait(false);
            _snapshotPending = false;
        }

        var replication = _replication;
        if (replication is null || (target <= Volatile.Read(ref _confirmed) && ReferenceEquals(replication, _confirmedOn)))
        {
            return;
        }

        RaiseConfirmed(target);
        replication.SetReplicationStatus(new NpgsqlLogSequenceNumber(Volatile.Read(ref _confirmed)));
        if (replication.LastReceivedLsn == default)
        {
            // The server has not answered START_REPLICATION yet (nothing came over the stream): Npgsql may still be writing
            // the command or waiting for its answer, and a status update written beside that (Npgsql does not guard this
            // concurrent use) was seen never to complete, holding the pipeline's commits and its stop for good. Npgsql's
            // own status updates carry the position once streaming (the reply to the server's first keepalive, or
            // WalReceiverStatusInterval); the next commit sends it again, and CloseAsync advances the slot to it.
            return;
        }

        try
        {
            await replication.SendStatusUpdate(cancellationToken).ConfigureAwait(false);
            _confirmedOn = replication;
        }
        catch (Exception error) when (error is InvalidOperationException or ObjectDisposedException)
        {
            // Not streaming (reconnecting, or closing): a new connection sends the position first thing, and
            // CloseAsync advances the slot to it.
        }
    }

    /// <summary>
    /// While the source waits for the server with every record it read acknowledged and no transaction open, the WAL the
    /// server reports in keepalives (of other tables and databases) holds nothing for it: the slot may be confirmed up to
    /// there. Without this, the slot would hold that WAL, and a server shutting down would wait for the source to
    /// confirm what it sent. Safe because the stream reads at most one message ahead of the records decoded (the
    /// generation check), and a message after a commit is the next transaction's begin, which precedes its commit.
    /// </summary>
    private void AdvanceWhileIdle()
    {
        var generation = Volatile.Read(ref _generation);
        if (Volatile.Read(ref _idleGeneration) != generation || _replication is not { } replication)
        {
            return;
        }

        var received = (ulong)replication.LastReceivedLsn;
        if (Volatile.Read(ref _generation) != generation || received <= Volatile.Read(ref _confirmed))
        {
            return;
        }

        lock (_lock)
        {
            if (_acknowledged < Volatile.Read(ref _idleEmitted) || _boundaries.Count > 0)
            {
                return;
            }
        }

        RaiseConfirmed(received);
        replication.SetReplicationStatus(new NpgsqlLogSequenceNumber(Volatile.Read(ref _confirmed))); // sent with the next status update
    }

    private void RaiseConfirmed(ulong lsn)
    {
        var current = Volatile.Read(ref _confirmed);
        while (lsn > current)
        {
            var seen = (ulong)Interlocked.CompareExchange(ref Unsafe.As<ulong, long>(ref _confirmed), (long)lsn, (long)current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private void AdvanceLocked()
    {
        while (_boundaries.TryPeek(out var boundary) && boundary.Count <= _acknowledged)
        {
            _boundaries.Dequeue();
            _confirmable = Math.Max(_confirmable, boundary.Lsn);
        }
    }

    /// <summary>Marks the end of a transaction: once the first <paramref name="count"/> records are acknowledged, <paramref name="lsn"/> may be confirmed.</summary>
    private void AddBoundary(long count, ulong lsn)
    {
        lock (_lock)
        {
            _boundaries.Enqueue((count, lsn));
            AdvanceLocked();
        }
    }

    private async Task<LogicalReplicationConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var replication = new LogicalReplicationConnection(PostgresConnectionString.WithApplicationName(Options.ConnectionString, "dataweaver:" + Name))
        {
            WalReceiverStatusInterval = Options.StatusInterval,
        };
        try
        {
            await replication.Open(cancellationToken).ConfigureAwait(false);
            return replication;
        }
        catch
        {
            await replication.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartStreamAsync(CancellationToken cancellationToken)
    {
        if (_replication is null)
        {
            _replication = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _redeliveries);
        }

        // The first status update the server gets carries the confirmed position, never less.
        _replication.SetReplicationStatus(new NpgsqlLogSequenceNumber(Volatile.Read(ref _confirmed)));
        _streamCancel = new CancellationTokenSource();
        var options = new PgOutputReplicationOptions(Options.Publication, PgOutputProtocolVersion.V1, binary: true);
        // From the position this source confirmed, not only the slot's: after a server crash the slot's confirmed flush LSN
        // can be older (the server saves it at checkpoints), and what lies between was written and committed already.
        var start = Volatile.Read(ref _confirmed);
        _stream = _replication.StartReplication(new PgOutputReplicationSlot(Options.Slot), options, _streamCancel.Token, start == 0 ? null : new NpgsqlLogSequenceNumber(start)).GetAsyncEnumerator(_streamCancel.Token);
        _confirmedOn = null;
    }

    /// <summary>The next message; a wait the caller gives up on stays pending for the next call (the stream stays open for the last commit).</summary>
    private async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var move = _pendingMove is { } pending ? new ValueTask<bool>(pending) : _stream!.MoveNextAsync();
        if (move.IsCompletedSuccessfully)
        {
            _pendingMove = null;
            return move.Result;
        }

        var task = _pendingMove ?? move.AsTask();
        _pendingMove = task;
        bool more;
        try
        {
            more = await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (task.IsCompleted)
        {
            _pendingMove = null; // failed: nothing left to wait for on close
            if (error is NullReferenceException)
            {
                // Npgsql's replication stream fails so when its connection broke under it (seen in a server restart): a lost connection.
                throw new IOException("The replication connection broke (Npgsql's stream failed with a NullReferenceException).", error);
            }

            throw;
        }

        _pendingMove = null;
        return more;
    }

    private async Task StopStreamAsync()
    {
        var replication = _replication;
        _replication = null;
        if (_streamCancel is { } cancel)
        {
            await cancel.CancelAsync().ConfigureAwait(false);
        }

        if (_pendingMove is { } pending)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or NpgsqlException or IOException or InvalidOperationException or TimeoutException)
            {
                // The stream is being stopped.
            }
        }

        if (_stream is { } stream)
        {
            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or NpgsqlException or IOException or InvalidOperationException or TimeoutException)
            {
                // A broken stream: the connection goes with it.
            }
        }

        if (replication is not null)
        {
            try
            {
                await replication.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (error is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
            {
                // Already broken.
            }
        }

        _pendingMove = null;
        _stream = null;
        _streamCancel?.Dispose();
        _streamCancel = null;
    }

    /// <summary>
    /// A lost connection, a server shutting down, or the server ending the stream (a walsender stops streaming with a
    /// CommandComplete when the server shuts down, which Npgsql reports as an unexpected message).
    /// </summary>
    private static bool IsTransient(Exception error) =>
        PostgresErrors.Classify(error) == ErrorClass.Transient
        || (error is NpgsqlException and not PostgresException && error.Message.Contains("while expecting CopyData", StringComparison.Ordinal));

    private static DataWeaverException Map(Exception error, string operation) => error switch
    {
        PostgresException { SqlState: "42501" or "28000" } postgres => new PostgresCdcException(PostgresCdcFailure.PermissionDenied, $"{operation} failed: {PostgresErrors.Describe(postgres)}. The user needs the REPLICATION attribute (ALTER ROLE name REPLICATION) and, to create the publication, CREATE on the database and ownership of its tables.", error),
        PostgresException { SqlState: "55000" } postgres when postgres.MessageText.Contains("wal_level", StringComparison.Ordinal) => new PostgresCdcException(PostgresCdcFailure.WalLevel, $"{operation} failed: {PostgresErrors.Describe(postgres)}. Set wal_level = logical in postgresql.conf and restart the server.", error),
        PostgresException { SqlState: "55006" } postgres => new PostgresCdcException(PostgresCdcFailure.SlotUnusable, $"{operation} failed: {PostgresErrors.Describe(postgres)}. Another session reads the slot: one slot serves one running source.", error),
        _ => PostgresErrors.Map(error, operation),
    };
}
