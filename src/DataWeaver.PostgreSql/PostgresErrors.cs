using System.Diagnostics.CodeAnalysis;
using DataWeaver.Errors;
using Npgsql;

namespace DataWeaver.PostgreSql;

/// <summary>
/// Classifies PostgreSQL and Npgsql errors into DataWeaver's error classes, by the server's SQLSTATE: serialization
/// failures (40001), deadlocks (40P01), an administrator's shutdown or a restart (57P01, 57P02, 57P03), connection
/// failures (class 08), too many connections or too little memory or disk (class 53) and the network errors Npgsql calls
/// transient are <see cref="ErrorClass.Transient"/> (retry the batch); integrity constraint violations (class 23) and
/// invalid values (class 22) are <see cref="ErrorClass.Data"/> (the record is at fault: dead-letter it); everything else
/// (a missing table or column, a permission refused, a wrong password) is <see cref="ErrorClass.Fatal"/>.
/// </summary>
public static class PostgresErrors
{
    /// <summary>Classifies an exception thrown by Npgsql.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>Its class.</returns>
    public static ErrorClass Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            DataWeaverException own => own.ErrorClass,
            PostgresException postgres => ClassifySqlState(postgres.SqlState),
            NpgsqlException npgsql when npgsql.IsTransient => ErrorClass.Transient,
            TimeoutException or IOException or System.Net.Sockets.SocketException => ErrorClass.Transient,
            NpgsqlException { InnerException: { } inner } => Classify(inner),
            _ => ErrorClass.Fatal,
        };
    }

    /// <summary>Classifies a SQLSTATE code (see <see cref="PostgresErrors"/>).</summary>
    /// <param name="sqlState">The five-character code.</param>
    /// <returns>Its class.</returns>
    public static ErrorClass ClassifySqlState(string sqlState)
    {
        ArgumentNullException.ThrowIfNull(sqlState);
        if (sqlState is "40001" or "40P01" or "57P01" or "57P02" or "57P03" || sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("53", StringComparison.Ordinal))
        {
            return ErrorClass.Transient;
        }

        return sqlState.StartsWith("23", StringComparison.Ordinal) || sqlState.StartsWith("22", StringComparison.Ordinal) ? ErrorClass.Data : ErrorClass.Fatal;
    }

    /// <summary>
    /// Wraps an Npgsql exception into a <see cref="DataWeaverException"/> of its class, whose message names the operation
    /// and gives the server's SQLSTATE, message and detail. Connection strings, and so passwords, are never part of it.
    /// </summary>
    /// <param name="exception">The exception.</param>
    /// <param name="operation">What failed, for the message (for example "Writing to public.orders").</param>
    /// <returns>The exception to throw.</returns>
    public static DataWeaverException Map(Exception exception, string operation)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is DataWeaverException own)
        {
            return own;
        }

        return new DataWeaverException(Classify(exception), $"{operation} failed: {Describe(exception)}", exception);
    }

    /// <summary>
    /// The server's words for an error: <c>SQLSTATE: message (detail)</c>, or the exception's message. The detail (which may
    /// quote the row's values) is there only when the connection string sets <c>Include Error Detail=true</c>.
    /// </summary>
    /// <param name="exception">The exception.</param>
    /// <returns>The description.</returns>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            // Npgsql puts a placeholder in Detail unless the connection string says Include Error Detail=true.
            PostgresException postgres when !string.IsNullOrEmpty(postgres.Detail) && !postgres.Detail.StartsWith("Detail redacted", StringComparison.Ordinal) => $"{postgres.SqlState}: {postgres.MessageText} ({postgres.Detail})",
            PostgresException postgres => $"{postgres.SqlState}: {postgres.MessageText}",
            _ => exception.Message,
        };
    }

    /// <summary>Throws a fatal configuration error.</summary>
    /// <param name="message">What is wrong.</param>
    [DoesNotReturn]
    internal static void ThrowFatal(string message) => throw new DataWeaverException(ErrorClass.Fatal, message);

    /// <summary>Throws a data error of one record.</summary>
    /// <param name="message">What is wrong with it.</param>
    [DoesNotReturn]
    internal static void ThrowData(string message) => throw new DataWeaverException(ErrorClass.Data, message);
}
