using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Sockets.Tests.Support;

namespace DataWeaver.Sockets.Tests.Tcp;

/// <summary>TLS between the TCP sink and the TCP source with a CA made by the test: trusted it delivers, untrusted it refuses.</summary>
public sealed class TcpTlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-sockets-tls-").FullName;

    [Theory]
    [InlineData(SocketFraming.NewlineDelimited)]
    [InlineData(SocketFraming.LengthPrefixed)]
    public async Task RoundTrip_SinkTrustsTheTestCa_EveryRecordDeliveredOnceInOrderBeforeTheSinkIsDone(SocketFraming framing)
    {
        var certificates = TestCertificates.Create(_directory, serverPassword: "tls-key-password-4711");
        await using var receiving = await Running.StartAsync(new TcpSourceOptions
        {
            Listen = "127.0.0.1:0",
            Framing = framing,
            Acknowledgements = true,
            CertificatePath = certificates.ServerPath,
            CertificatePassword = certificates.ServerPassword,
        });
        var sink = new TcpSink(new TcpSinkOptions
        {
            Address = "localhost:" + receiving.Source.LocalEndPoint!.Port,
            Framing = framing,
            Acknowledgements = true,
            Tls = true,
            TrustedCaPath = certificates.CaPath,
        });
        var records = Enumerable.Range(0, 2_000).Select(i => new Record<ReadOnlyMemory<byte>>(default, Frames.Record(i), null, default, default)).ToArray();

        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records), new PipelineOptions { BatchSize = 100 }).To(sink).Build().RunAsync();
        var received = receiving.Sink.Records.Select(r => Frames.Id(r.Value.Span)).ToList(); // acknowledged by the source: already written

        Assert.Equal(Enumerable.Range(0, 2_000).Select(i => (long)i), received);
        Assert.Equal(1, sink.Connects);
        Assert.Equal(0, receiving.Source.ConnectionErrors);
    }

    [Fact]
    public async Task Write_CaNotTrusted_HandshakeRefusedAndNothingAcknowledged()
    {
        var certificates = TestCertificates.Create(_directory, serverPassword: "tls-key-password-4711");
        await using var receiving = await Running.StartAsync(new TcpSourceOptions
        {
            Listen = "127.0.0.1:0",
            Acknowledgements = true,
            CertificatePath = certificates.ServerPath,
            CertificatePassword = certificates.ServerPassword,
        });
        var sink = new TcpSink(new TcpSinkOptions
        {
            Address = "localhost:" + receiving.Source.LocalEndPoint!.Port,
            Acknowledgements = true,
            Tls = true, // the system's CAs only: the test's CA is not among them
            MaxAttempts = 2,
            InitialBackoff = TimeSpan.FromMilliseconds(10),
        });
        var probe = new CollectionSource<Record<ReadOnlyMemory<byte>>>([new(default, Frames.Record(1), null, default, default)]);

        var error = await Assert.ThrowsAnyAsync<DataWeaverException>(() => Pipeline.From(probe).To(sink).Build().RunAsync());

        Assert.Equal(ErrorClass.Transient, error.ErrorClass);
        Assert.Contains("could not be written after 2 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, receiving.Source.FramesRead);
        Assert.Equal(0, sink.BatchesWritten);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
