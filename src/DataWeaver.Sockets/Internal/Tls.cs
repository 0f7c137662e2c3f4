using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace DataWeaver.Sockets.Internal;

/// <summary>TLS for the TCP connectors: the server's certificate from a PKCS#12 file, and a client's trust of a custom CA.</summary>
internal static class Tls
{
    /// <summary>Loads a PKCS#12 file with its private key.</summary>
    public static X509Certificate2 LoadServerCertificate(string path, string? password) =>
        X509CertificateLoader.LoadPkcs12FromFile(path, password);

    /// <summary>Loads a CA certificate file (PEM or DER).</summary>
    public static X509Certificate2 LoadCa(string path) => X509CertificateLoader.LoadCertificateFromFile(path);

    /// <summary>
    /// The client's check of a server certificate: the system's trust, or, with a custom CA, a chain that ends at that CA
    /// (and only at it); the host name must match in both cases.
    /// </summary>
    public static RemoteCertificateValidationCallback? Validator(X509Certificate2? ca)
    {
        if (ca is null)
        {
            return null;
        }

        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None || certificate is null)
            {
                return false; // no certificate, or a name that does not match
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 leaf && chain.Build(leaf);
        };
    }
}
