using System.Diagnostics.CodeAnalysis;
using DataWeaver.Errors;

namespace DataWeaver.Messaging.Internal;

/// <summary>
/// What the message-broker connectors (RabbitMQ, MQTT) share, compiled into each of them (src/Shared/Messaging): options
/// validation, reconnection and the peak counter.
/// </summary>
internal static class BrokerConnections
{
    /// <summary>Returns the options, or throws a <see cref="PipelineConfigurationException"/> listing every problem.</summary>
    public static T Check<T>(T options, IEnumerable<string> problems)
    {
        var list = problems.ToList();
        if (list.Count > 0)
        {
            ThrowInvalid(list);
        }

        return options;
    }

    /// <summary>
    /// Connects again after the broker went away: tries <paramref name="connect"/> every <paramref name="delay"/> while it fails
    /// with a transient error, for up to <paramref name="timeout"/>, then throws a transient error naming the endpoint.
    /// </summary>
    public static async ValueTask<T> ReconnectAsync<T>(Func<CancellationToken, Task<T>> connect, string endpoint, TimeSpan timeout, TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        Exception? last = null;
        while (time.GetElapsedTime(start) <= timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return await connect(cancellationToken).ConfigureAwait(false);
            }
            catch (DataWeaverException error) when (error.ErrorClass == ErrorClass.Transient)
            {
                last = error;
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new DataWeaverException(ErrorClass.Transient, $"The broker at {endpoint} could not be reached again within {timeout.TotalSeconds:0.#} s: {last?.Message}", last);
    }

    /// <summary>Raises <paramref name="peak"/> to <paramref name="value"/> if it is higher.</summary>
    public static void RaisePeak(ref long peak, long value)
    {
        long seen;
        while (value > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, value, seen) != seen)
        {
        }
    }

    /// <summary>Lists the problems of the connection settings both connectors have.</summary>
    public static IEnumerable<string> ValidateEndpoint(string type, string hostName, int port, TimeSpan operationTimeout, TimeSpan reconnectTimeout, TimeSpan reconnectDelay)
    {
        if (string.IsNullOrWhiteSpace(hostName))
        {
            yield return $"{type}.HostName is required.";
        }

        if (port is < 1 or > 65535)
        {
            yield return $"{type}.Port must be 1 to 65535 (was {port}).";
        }

        if (operationTimeout <= TimeSpan.Zero)
        {
            yield return $"{type}.OperationTimeout must be positive (was {operationTimeout}).";
        }

        if (reconnectTimeout < TimeSpan.Zero || reconnectDelay < TimeSpan.Zero)
        {
            yield return $"{type}.ReconnectTimeout and ReconnectDelay must not be negative.";
        }
    }

    [DoesNotReturn]
    private static void ThrowInvalid(List<string> problems) => throw new PipelineConfigurationException(problems);
}
