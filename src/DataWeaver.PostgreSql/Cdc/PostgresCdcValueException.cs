using DataWeaver.Errors;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>
/// A change holds a column value a <see cref="PostgresCdcSource"/> cannot turn into JSON: a type it has no decoder for
/// (a composite type), or a value with no JSON form of the source's (a <c>numeric</c> NaN or infinity, an
/// <c>interval</c> with months, a date or timestamp outside years 1 to 9999). A <see cref="ErrorClass.Data"/> error: the
/// change goes to the pipeline's source error policy, which dead-letters it (with the value's bytes as the server sent
/// them in binary), skips it or fails the run with this exception. Its properties name where the change is; the value
/// itself is in no message.
/// </summary>
public sealed class PostgresCdcValueException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="slot">The replication slot the change was read from.</param>
    /// <param name="lsn">The change's LSN, as PostgreSQL writes it (<c>0/16B3748</c>).</param>
    /// <param name="transactionId">The id of the change's transaction.</param>
    /// <param name="relation">The table, <c>schema.name</c>.</param>
    /// <param name="column">The column whose value cannot be decoded.</param>
    /// <param name="dataType">The column's type, as PostgreSQL names it.</param>
    /// <param name="reason">Why the value cannot be decoded.</param>
    /// <param name="innerException">The decoder's error, if any.</param>
    public PostgresCdcValueException(string slot, string lsn, uint transactionId, string relation, string column, string dataType, string reason, Exception? innerException = null)
        : base(ErrorClass.Data, $"The change at LSN {lsn} (transaction {transactionId}) of slot '{slot}' holds a value of column '{column}' ({dataType}) of {relation} that cannot be decoded: {reason}", innerException)
    {
        Slot = slot;
        Lsn = lsn;
        TransactionId = transactionId;
        Relation = relation;
        Column = column;
        DataType = dataType;
        Reason = reason;
    }

    /// <summary>Gets the replication slot the change was read from.</summary>
    public string Slot { get; }

    /// <summary>Gets the change's LSN, as PostgreSQL writes it (<c>0/16B3748</c>).</summary>
    public string Lsn { get; }

    /// <summary>Gets the id of the change's transaction.</summary>
    public uint TransactionId { get; }

    /// <summary>Gets the table, <c>schema.name</c>.</summary>
    public string Relation { get; }

    /// <summary>Gets the column whose value cannot be decoded.</summary>
    public string Column { get; }

    /// <summary>Gets the column's type, as PostgreSQL names it (<c>interval</c>, <c>numeric[]</c>).</summary>
    public string DataType { get; }

    /// <summary>Gets why the value cannot be decoded.</summary>
    public string Reason { get; }
}
