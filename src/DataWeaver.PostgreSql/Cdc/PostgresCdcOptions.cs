using System.Text;
using DataWeaver.Checkpoints;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>
/// Options of a <see cref="PostgresCdcSource"/>: the publication whose tables are captured, the replication slot that
/// keeps the position on the server, and what the records hold. Copied when the source is created. <see cref="ToString"/>
/// never shows the connection string's password.
/// </summary>
public sealed record PostgresCdcOptions
{
    /// <summary>
    /// Gets the Npgsql connection string of the database whose changes are captured. Its user needs the REPLICATION
    /// attribute (or superuser), and CREATE on the database when the source creates the publication. It appears nowhere
    /// the source writes: not in records, graphs, logs, errors or checkpoints.
    /// </summary>
    /// <value>Required; there is no default.</value>
    public string ConnectionString { get; init; } = "";

    /// <summary>
    /// Gets the publication whose tables' changes are read (<c>CREATE PUBLICATION name FOR TABLE ...</c>). An existing
    /// publication is used as it is; a missing one is created for <see cref="Tables"/>, or, without tables, the source fails
    /// to open with <see cref="PostgresCdcFailure.PublicationMissing"/>.
    /// </summary>
    /// <value>The default is <c>dataweaver</c>.</value>
    public string Publication { get; init; } = "dataweaver";

    /// <summary>
    /// Gets the logical replication slot (pgoutput) that keeps the position on the server: created when missing, reused
    /// otherwise. The server keeps the WAL from the slot's confirmed position on, so a slot no pipeline reads any more must
    /// be dropped (<c>SELECT pg_drop_replication_slot('name')</c>). One slot serves one running source.
    /// </summary>
    /// <value>The default is <c>dataweaver</c>; lower-case letters, digits and underscores, at most 63.</value>
    public string Slot { get; init; } = "dataweaver";

    /// <summary>
    /// Gets the tables (<c>orders</c> or <c>sales.orders</c>) the source puts into <see cref="Publication"/> when it
    /// creates it. An existing publication is not changed.
    /// </summary>
    /// <value>The default is empty: the publication must exist.</value>
    public IReadOnlyList<string> Tables { get; init; } = [];

    /// <summary>
    /// Gets a value indicating whether the source, when it creates the slot, first reads every row of the publication's
    /// tables as <c>read</c> records, from the snapshot the slot was created with (exported by
    /// <c>CREATE_REPLICATION_SLOT ... EXPORT_SNAPSHOT</c>): the snapshot and the changes after it join without a gap or an
    /// overlap. Once every snapshot record is written, <see cref="CheckpointStore"/> keeps that it is done; a slot found
    /// without that mark (the run that created it stopped during the snapshot) is dropped and created again, and the
    /// snapshot read again, so a crash repeats rows but never loses one. Needs <see cref="CheckpointStore"/>.
    /// </summary>
    /// <value>The default is <see langword="false"/>: only changes made after the slot was created are read.</value>
    public bool Snapshot { get; init; }

    /// <summary>Gets the store that keeps whether the initial snapshot is done (see <see cref="Snapshot"/>); the stream's position is the slot's, on the server.</summary>
    /// <value>The default is none; required with <see cref="Snapshot"/>.</value>
    public ICheckpointStore? CheckpointStore { get; init; }

    /// <summary>
    /// Gets a value indicating whether transaction boundaries become records too: <c>begin</c> and <c>commit</c> records
    /// with the transaction id and the commit's LSN.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool TransactionRecords { get; init; }

    /// <summary>Gets how often the source tells the server its position when nothing else made it do so.</summary>
    /// <value>The default is 10 seconds; positive.</value>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets how many times the source connects again after the connection was lost (a server restart, a network error)
    /// before the run fails; after a reconnection the server sends again the transactions not yet confirmed.
    /// </summary>
    /// <value>The default is 10; from 1 to 100.</value>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>Gets the clock of the waits between reconnections.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks the options.</summary>
    /// <returns>Every failure, each naming its option; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            failures.Add("PostgresCdcOptions.ConnectionString is required.");
        }

        if (string.IsNullOrWhiteSpace(Publication))
        {
            failures.Add("PostgresCdcOptions.Publication is required.");
        }

        if (string.IsNullOrEmpty(Slot) || Slot.Length > 63 || !Slot.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            failures.Add($"PostgresCdcOptions.Slot must be 1 to 63 lower-case letters, digits or underscores (was '{Slot}').");
        }

        if (Tables is null || Tables.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("PostgresCdcOptions.Tables must not be null nor hold empty names.");
        }

        if (Snapshot && CheckpointStore is null)
        {
            failures.Add("PostgresCdcOptions.CheckpointStore is required with Snapshot: it keeps whether the snapshot is done.");
        }

        if (StatusInterval <= TimeSpan.Zero)
        {
            failures.Add($"PostgresCdcOptions.StatusInterval must be positive (was {StatusInterval}).");
        }

        if (MaxAttempts is < 1 or > 100)
        {
            failures.Add($"PostgresCdcOptions.MaxAttempts must be from 1 to 100 (was {MaxAttempts}).");
        }

        if (TimeProvider is null)
        {
            failures.Add("PostgresCdcOptions.TimeProvider must not be null.");
        }

        return failures;
    }

    /// <summary>Describes the options without the connection string's password.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => new StringBuilder("PostgresCdcOptions { Server = ")
        .Append(PostgresConnectionString.Describe(ConnectionString))
        .Append(", Publication = ").Append(Publication)
        .Append(", Slot = ").Append(Slot)
        .Append(", Snapshot = ").Append(Snapshot)
        .Append(" }").ToString();
}
