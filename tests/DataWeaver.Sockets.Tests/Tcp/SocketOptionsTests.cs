using DataWeaver.Errors;
using DataWeaver.Sockets.Tests.Support;

namespace DataWeaver.Sockets.Tests.Tcp;

/// <summary>Options fail fast listing every problem; a certificate password never shows in an error or a printout.</summary>
public sealed class SocketOptionsTests
{
    [Fact]
    public void Constructors_InvalidOptions_EveryProblemListedNamingTheOption()
    {
        var source = Assert.Throws<PipelineConfigurationException>(() => new TcpSource(new TcpSourceOptions { Listen = "nowhere", MaxFrameBytes = 0, MaxInFlightRecords = 0, CertificatePassword = "x" }));
        var sink = Assert.Throws<PipelineConfigurationException>(() => new TcpSink(new TcpSinkOptions { Address = "host-without-port", TrustedCaPath = "ca.pem", MaxAttempts = 0 }));
        var udp = Assert.Throws<PipelineConfigurationException>(() => new UdpSource(new UdpSourceOptions { MaxDatagramBytes = 70_000 }));

        Assert.Equal(4, source.Errors.Count);
        Assert.Contains(source.Errors, e => e.StartsWith("TcpSourceOptions.Listen", StringComparison.Ordinal));
        Assert.Equal(3, sink.Errors.Count);
        Assert.Contains(sink.Errors, e => e.StartsWith("TcpSinkOptions.TrustedCaPath", StringComparison.Ordinal));
        Assert.Contains("UdpSourceOptions.MaxDatagramBytes", Assert.Single(udp.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_WrongCertificatePassword_FatalErrorWithoutEitherPassword()
    {
        var directory = Directory.CreateTempSubdirectory("dw-sockets-options-").FullName;
        try
        {
            var certificates = TestCertificates.Create(directory, serverPassword: "the-real-password-0001");
            var options = new TcpSourceOptions { Listen = "127.0.0.1:0", CertificatePath = certificates.ServerPath, CertificatePassword = "the-wrong-password-0002" };
            var source = new TcpSource(options);

            var error = await Assert.ThrowsAsync<DataWeaverException>(async () => await source.OpenAsync());

            Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
            Assert.Contains("could not listen on 127.0.0.1:0", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("password-000", error.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("password-000", options.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("password-000", new TcpSinkOptions { Address = "h:1", Tls = true, ClientCertificatePath = "c.p12", ClientCertificatePassword = "the-password-0003" }.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
