using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DataWeaver.Sockets.Tests.Support;

/// <summary>A self-signed CA made for one test, and a server certificate (for <c>localhost</c> and 127.0.0.1) and a client certificate it signed, written to a folder.</summary>
internal sealed class TestCertificates
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>Gets the CA certificate, PEM.</summary>
    public string CaPath => Path.Combine(Directory, "ca.pem");

    /// <summary>Gets the server certificate with its key, PKCS#12 protected by <see cref="ServerPassword"/>.</summary>
    public string ServerPath => Path.Combine(Directory, "server.p12");

    /// <summary>Gets the client certificate with its key, PKCS#12 protected by <see cref="ClientPassword"/>.</summary>
    public string ClientPath => Path.Combine(Directory, "client.p12");

    public required string ServerPassword { get; init; }

    public required string ClientPassword { get; init; }

    /// <summary>Makes a CA and the two certificates it signs; each file is written to <paramref name="directory"/>.</summary>
    public static TestCertificates Create(string directory, string serverPassword = "server-pass", string clientPassword = "client-pass")
    {
        System.IO.Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=DataWeaver Sockets Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
        var certificates = new TestCertificates(directory) { ServerPassword = serverPassword, ClientPassword = clientPassword };
        File.WriteAllText(certificates.CaPath, ca.ExportCertificatePem());
        File.WriteAllBytes(certificates.ServerPath, Issue(ca, "CN=localhost", serverAuth: true, now, 1).Export(X509ContentType.Pkcs12, serverPassword));
        File.WriteAllBytes(certificates.ClientPath, Issue(ca, "CN=dataweaver-client", serverAuth: false, now, 2).Export(X509ContentType.Pkcs12, clientPassword));
        return certificates;
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool serverAuth, DateTimeOffset now, byte serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        using var issued = request.Create(ca, now.AddDays(-1), now.AddDays(6), [serial, 0x42]);
        return issued.CopyWithPrivateKey(key);
    }
}
