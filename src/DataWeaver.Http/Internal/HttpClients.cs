using System.Net;
using System.Net.Http.Headers;

namespace DataWeaver.Http.Internal;

/// <summary>Creates the <see cref="HttpClient"/> of a connector: pooled connections, a time limit, credentials and fixed headers.</summary>
internal static class HttpClients
{
    public static HttpClient Create(int maxConnections, TimeSpan timeout, HttpAuthentication? authentication, IReadOnlyDictionary<string, string>? headers)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { Timeout = timeout };
        if (authentication?.BearerToken is { } token)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (authentication?.ApiKey is { } key)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(authentication.ApiKeyHeader, key);
        }

        foreach (var (header, value) in headers ?? new Dictionary<string, string>())
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(header, value);
        }

        return client;
    }
}
