using System.Diagnostics.CodeAnalysis;
using DataWeaver.Errors;
using DataWeaver.Streams;
using NATS.Client.JetStream;

namespace DataWeaver.Nats;

/// <summary>
/// Classifies NATS failures: a server or network problem (no responders, timeouts, lost connections, JetStream
/// unavailable) is <see cref="ErrorClass.Transient"/>; a refused request (a JetStream API error such as a wrong stream
/// configuration) is <see cref="ErrorClass.Fatal"/>. Messages name the operation and never carry a secret.
/// </summary>
public static class NatsErrors
{
    /// <summary>The JetStream API error code of "stream not found".</summary>
    internal const int StreamNotFound = 10059;

    /// <summary>The JetStream API error code of "consumer not found".</summary>
    internal const int ConsumerNotFound = 10014;

    /// <summary>Wraps a NATS client failure in a classified <see cref="DataWeaverException"/>.</summary>
    /// <param name="operation">What was being done (for example <c>publish to 'orders'</c>).</param>
    /// <param name="exception">The failure.</param>
    /// <param name="secrets">Values to scrub from the message.</param>
    /// <returns>The classified exception.</returns>
    public static DataWeaverException Classify(string operation, Exception exception, IEnumerable<string>? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var errorClass = exception switch
        {
            NatsJSApiException api when api.Error.Code >= 500 => ErrorClass.Transient,
            NatsJSApiException => ErrorClass.Fatal,
            _ => ErrorClass.Transient,
        };
        var detail = exception is NatsJSApiException e ? $"JetStream error {e.Error.ErrCode}: {e.Error.Description}" : exception.GetType().Name + ": " + exception.Message;
        return new DataWeaverException(errorClass, Scrub($"NATS {operation} failed ({detail}).", secrets));
    }

    /// <summary>Replaces every secret value in <paramref name="text"/> by <c>***</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="secrets">The secret values.</param>
    /// <returns>The scrubbed text.</returns>
    public static string Scrub(string text, IEnumerable<string>? secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in secrets ?? [])
        {
            if (secret.Length > 0)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    internal static bool IsNotFound(Exception exception, int code) => exception is NatsJSApiException api && api.Error.ErrCode == code;

    [DoesNotReturn]
    internal static void ThrowUnknownTopic(string topic) =>
        throw new StreamFrameworkException(StreamErrorCode.UnknownTopic, $"Stream '{topic}' does not exist in NATS JetStream (create it with CreateStreamAsync).", topic);

    [DoesNotReturn]
    internal static void ThrowNotStarted() =>
        throw new StreamFrameworkException(StreamErrorCode.NotStarted, "The NATS stream framework was used before StartAsync.");

    [DoesNotReturn]
    internal static void ThrowStopped() =>
        throw new StreamFrameworkException(StreamErrorCode.Stopped, "The NATS stream framework was stopped.");
}
