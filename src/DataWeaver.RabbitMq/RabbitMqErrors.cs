using System.Diagnostics.CodeAnalysis;
using DataWeaver.Errors;
using RabbitMQ.Client.Exceptions;

namespace DataWeaver.RabbitMq;

/// <summary>
/// Maps RabbitMQ client errors to DataWeaver's classified ones: a broker that cannot be reached or went away is
/// <see cref="ErrorClass.Transient"/>; a queue that does not exist, refused credentials or access, and a channel the broker
/// closed for a protocol error are <see cref="ErrorClass.Fatal"/>; an unroutable message returned to a mandatory publish is
/// <see cref="ErrorClass.Data"/>. Messages name the endpoint without the password.
/// </summary>
public static class RabbitMqErrors
{
    /// <summary>Maps an exception of the RabbitMQ client.</summary>
    /// <param name="exception">The exception.</param>
    /// <param name="operation">What failed, for the message (for example "Consume from 'orders' at amqp://guest@localhost:5672/").</param>
    /// <returns>The exception to throw.</returns>
    public static DataWeaverException Map(Exception exception, string operation)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            DataWeaverException known => known,
            PublishException { IsReturn: true } returned => new DataWeaverException(
                ErrorClass.Data, $"{operation} failed: the broker returned message {returned.PublishSequenceNumber} as unroutable (mandatory publish: no queue is bound for its routing key).", exception),
            PublishException nacked => new DataWeaverException(
                ErrorClass.Transient, $"{operation} failed: the broker refused (nacked) message {nacked.PublishSequenceNumber}.", exception),
            AuthenticationFailureException or BrokerUnreachableException { InnerException: AuthenticationFailureException } => new DataWeaverException(ErrorClass.Fatal, $"{operation} failed: the broker refused the user name or password.", exception),
            OperationInterruptedException { ShutdownReason.ReplyCode: 404 } => new DataWeaverException(
                ErrorClass.Fatal, $"{operation} failed: {exception.Message}", exception),
            OperationInterruptedException { ShutdownReason.ReplyCode: 403 or 406 or 530 or 540 } => new DataWeaverException(
                ErrorClass.Fatal, $"{operation} failed: {exception.Message}", exception),
            BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException or IOException or TimeoutException or System.Net.Sockets.SocketException
                => new DataWeaverException(ErrorClass.Transient, $"{operation} failed: {exception.Message}", exception),
            _ => new DataWeaverException(ErrorClass.Fatal, $"{operation} failed: {exception.Message}", exception),
        };
    }

    [DoesNotReturn]
    internal static void Throw(Exception exception, string operation) => throw Map(exception, operation);

}
