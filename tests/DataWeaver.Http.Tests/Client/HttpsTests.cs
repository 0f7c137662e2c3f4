using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DataWeaver.Connectors.Memory;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Records;

namespace DataWeaver.Http.Tests.Client;

/// <summary>TLS for real: the server source serves HTTPS from a certificate file of a private CA; the sink trusts that CA only when told.</summary>
public sealed class HttpsTests : IDisposable
{
    private const string Password = "pfx-canary-password-77";
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-https-").FullName;

    [Fact]
    public async Task Sink_ServerWithPrivateCa_DeliversOnlyWithTheCaTrusted()
    {
        var (pfx, caFile) = CreateCertificates();
        var source = new HttpServerSource(new HttpServerSourceOptions { Listen = "https://127.0.0.1:0", CertificatePath = pfx, CertificatePassword = Password });
        var received = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var server = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero }).To(received).Build().Start();
        while (source.Address is null && !server.Completion.IsCompleted)
        {
            await Task.Delay(5);
        }

        await (server.Completion.IsCompleted ? server.Completion : Task.CompletedTask); // a server that could not start shows its error

        Assert.Equal("https", source.Address!.Scheme);
        var trusting = await SendAsync(new HttpSinkOptions { Url = source.Address.ToString(), TrustedCaPath = caFile }, [1, 2, 3]);
        var untrusting = await SendAsync(new HttpSinkOptions { Url = source.Address.ToString(), MaxAttempts = 2, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero }, [4]);
        await server.StopAsync();

        Assert.Null(trusting);
        Assert.NotNull(untrusting); // the system does not trust the private CA
        Assert.Equal([1, 2, 3], received.Records.Select(r => Json.Id(r.Value.Span)));
        Assert.DoesNotContain(Password, source.Options.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<Exception?> SendAsync(HttpSinkOptions options, long[] ids)
    {
        var records = ids.Select(id => new Record<ReadOnlyMemory<byte>>(default, Json.Record(id), null, default, default)).ToList();
        var run = Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records)).To(new HttpSink(options)).Build().Start();
        try
        {
            await run.Completion.WaitAsync(TimeSpan.FromSeconds(30));
            return null;
        }
        catch (Exception error) when (error is not TimeoutException)
        {
            return error;
        }
    }

    /// <summary>A private CA and a server certificate for 127.0.0.1 it signed: the server's PKCS#12 file and the CA's certificate file.</summary>
    private (string Pfx, string Ca) CreateCertificates()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=DataWeaver Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);
        using var withKey = signed.CopyWithPrivateKey(serverKey);

        var pfx = Path.Combine(_directory, "server.pfx");
        File.WriteAllBytes(pfx, withKey.Export(X509ContentType.Pkcs12, Password));
        var caFile = Path.Combine(_directory, "ca.crt");
        File.WriteAllText(caFile, ca.ExportCertificatePem());
        return (pfx, caFile);
    }
}
