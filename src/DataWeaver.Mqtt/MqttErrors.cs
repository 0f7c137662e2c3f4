using System.Diagnostics.CodeAnalysis;
using DataWeaver.Errors;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;

namespace DataWeaver.Mqtt;

/// <summary>
/// Maps MQTTnet errors to DataWeaver's classified ones: a broker that cannot be reached, went away or timed out is
/// <see cref="ErrorClass.Transient"/>; a connection the broker refused (bad credentials, not authorized, a bad client id) is <see cref="ErrorClass.Fatal"/>.
/// Messages name the endpoint without the password.
/// </summary>
public static class MqttErrors
{
    /// <summary>Maps an exception of the MQTT client.</summary>
    /// <param name="exception">The exception.</param>
    /// <param name="operation">What failed, for the message.</param>
    /// <returns>The exception to throw.</returns>
    public static DataWeaverException Map(Exception exception, string operation)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            DataWeaverException known => known,
            MqttConnectingFailedException
                => new DataWeaverException(ErrorClass.Fatal, $"{operation} failed: the broker refused the connection (user name or password, client id, or authorization): {exception.Message}", exception),
            MqttCommunicationException or MqttCommunicationTimedOutException or IOException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException or InvalidOperationException
                => new DataWeaverException(ErrorClass.Transient, $"{operation} failed: {exception.Message}", exception),
            _ => new DataWeaverException(ErrorClass.Fatal, $"{operation} failed: {exception.Message}", exception),
        };
    }


    [DoesNotReturn]
    internal static void ThrowPublishRefused(string operation, string reason) =>
        throw new DataWeaverException(ErrorClass.Data, $"{operation} failed: the broker refused the message ({reason}).");
}
