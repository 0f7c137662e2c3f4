using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using DataWeaver.Errors;

namespace DataWeaver.Http;

/// <summary>
/// The errors of the HTTP connectors, classified: a server that cannot be reached, times out, answers 5xx, 408 or 429 is
/// <see cref="ErrorClass.Transient"/>; another 4xx refuses the record (<see cref="ErrorClass.Data"/>); an address that cannot
/// be bound is <see cref="ErrorClass.Fatal"/>. Messages never hold a configured secret.
/// </summary>
internal static class HttpErrors
{
    /// <summary>The default name of a connector: the prefix and the URL's host and port.</summary>
    public static string NameOf(string prefix, string? url) => prefix + (Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : "");

    /// <summary>Throws a configuration error listing every problem, when there are any.</summary>
    public static void ThrowIfInvalid(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        if (list.Count > 0)
        {
            ThrowInvalid(list);
        }
    }

    /// <summary>The server could not listen: the address is in use, not local, or the certificate cannot be read.</summary>
    public static DataWeaverException ListenFailed(string listen, Exception error, IReadOnlyList<string> secrets) =>
        new(ErrorClass.Fatal, Scrub($"The HTTP server source could not listen on {listen}: {error.Message}", secrets), error is DataWeaverException ? error : null);

    /// <summary>Whether a status means "try again" (5xx, 408 Request Timeout, 429 Too Many Requests).</summary>
    public static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>Whether an exception of <see cref="HttpClient"/> is a connection problem worth retrying.</summary>
    public static bool IsTransient(Exception error) =>
        error is HttpRequestException or IOException or SocketException or TimeoutException or TaskCanceledException { InnerException: TimeoutException };

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
