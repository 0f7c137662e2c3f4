using System.Diagnostics.CodeAnalysis;

namespace DataWeaver.Operations.Internal;

/// <summary>Reads <c>--http</c>'s value: <c>HOST:PORT</c>, <c>[IPv6]:PORT</c> or an <c>http://</c> URL.</summary>
internal static class ListenAddress
{
    public static string Parse(string listen)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(listen);
        var url = listen.Contains("://", StringComparison.Ordinal) ? listen : "http://" + listen;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.IsDefaultPort && !url.EndsWith(":80", StringComparison.Ordinal) || uri.AbsolutePath != "/")
        {
            Throw(listen);
        }

        return $"http://{uri.Authority}";
    }

    [DoesNotReturn]
    private static void Throw(string listen) =>
        throw new ArgumentException($"'{listen}' is not an address to listen on: give HOST:PORT, such as 127.0.0.1:9464 (port 0 picks a free port).", nameof(listen));
}
