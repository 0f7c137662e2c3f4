using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace DataWeaver.Http.Internal;

/// <summary>Creates the <see cref="HttpClient"/> of a connector: pooled connections, a time limit, credentials and fixed headers.</summary>
internal static class HttpClients
{
    public static HttpClient Create(int maxConnections, TimeSpan timeout, HttpAuthentication? authentication, IReadOnlyDictionary<string, string>? headers, TimeProvider time, string? trustedCaPath = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (trustedCaPath is not null)
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(trustedCaPath);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustedBy(ca, certificate, errors);
        }

        HttpMessageHandler outer = authentication?.OAuth2 is { } oauth2 ? new OAuth2Handler(handler, oauth2, time) : handler;
        var client = new HttpClient(outer) { Timeout = timeout };
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

    /// <summary>
    /// Accepts a server certificate that chains to <paramref name="ca"/> (besides the system's roots), for servers with a
    /// private CA; a name mismatch is never accepted.
    /// </summary>
    private static bool TrustedBy(X509Certificate2 ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
