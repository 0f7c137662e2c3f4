using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using DataWeaver.Errors;

namespace DataWeaver.Sockets.Internal;

/// <summary>The errors of the socket connectors, classified; messages never hold a configured secret.</summary>
internal static class SocketErrors
{
    /// <summary>Throws a configuration error listing every problem, when there are any.</summary>
    public static void ThrowIfInvalid(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        if (list.Count > 0)
        {
            ThrowInvalid(list);
        }
    }

    /// <summary>The source could not listen: the address is in use or not local, or the certificate cannot be read.</summary>
    public static DataWeaverException ListenFailed(string what, string address, Exception error, IReadOnlyList<string> secrets) =>
        new(ErrorClass.Fatal, Scrub($"The {what} could not listen on {address}: {error.Message}", secrets));

    /// <summary>A peer could not be reached or the connection broke: worth trying again.</summary>
    public static DataWeaverException Transient(string message, Exception? error, IReadOnlyList<string> secrets) =>
        new(ErrorClass.Transient, Scrub(error is null ? message : $"{message}: {error.Message}", secrets));

    /// <summary>Whether an exception is a connection problem worth retrying.</summary>
    public static bool IsConnectionError(Exception error) =>
        error is IOException or SocketException or TimeoutException or ObjectDisposedException or System.Security.Authentication.AuthenticationException;

    /// <summary>Replaces every secret in <paramref name="text"/> by <c>***</c>.</summary>
    public static string Scrub(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            if (secret.Length > 0)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    [DoesNotReturn]
    private static void ThrowInvalid(IReadOnlyList<string> problems) => throw new PipelineConfigurationException(problems);
}
