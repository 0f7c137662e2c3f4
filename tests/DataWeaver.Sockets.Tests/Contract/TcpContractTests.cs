using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Sockets.Tests.Support;
using DataWeaver.Testing.Contracts;

namespace DataWeaver.Sockets.Tests.Contract;

/// <summary>
/// The TCP source against the source contract, over TLS with acknowledgements. Its "input" is four clients sending the records
/// (round robin) and sending again everything after their last acknowledgement whenever a connection ends; a restart is a new
/// source (new port) the same clients connect to. The certificate's password is the canary secret. Four clients: no order.
/// </summary>
public sealed class TcpSourceContractTests : SourceContractTests<Record<ReadOnlyMemory<byte>>>
{
    private const int MaxFrameBytes = 64;
    private readonly ConcurrentDictionary<string, Input> _inputs = new();

    protected override bool PreservesOrder => false;

    protected override ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context) =>
        new(Start(context, "", () => [.. Enumerable.Range(0, context.RecordCount).Select(i => Frames.Record(i))], clients: 4));

    protected override ValueTask<PoisonInput<Record<ReadOnlyMemory<byte>>>?> CreatePoisonSourceAsync(ContractContext context)
    {
        var frames = new List<byte[]>();
        var poison = new List<PoisonRecord>();
        for (var i = 0; i < context.RecordCount; i++)
        {
            if (i % 100 == 50)
            {
                // A line above MaxFrameBytes: dead-lettered with its first MaxFrameBytes bytes (the rest is skipped, never held).
                var line = System.Text.Encoding.UTF8.GetBytes("{\"id\":\"oversized\",\"padding\":\"" + new string('x', 100) + "\"}");
                poison.Add(new PoisonRecord(line[..MaxFrameBytes], new SourcePosition(0, frames.Count)));
                frames.Add(line);
            }

            frames.Add(Frames.Record(i));
        }

        // One client: the frames reach the source in order, so the poison's positions are known beforehand.
        var source = Start(context, "-poison", () => frames, clients: 1);
        return new(new PoisonInput<Record<ReadOnlyMemory<byte>>>(source, poison));
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => Frames.Id(record.Value.Span);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var input in _inputs.Values)
            {
                input.Clients.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        base.Dispose(disposing);
    }

    private TcpSource Start(ContractContext context, string suffix, Func<IReadOnlyList<byte[]>> records, int clients)
    {
        var input = _inputs.GetOrAdd(context.UniqueName + suffix, _ =>
        {
            var certificates = TestCertificates.Create(Path.Combine(context.Directory, "certificates" + suffix), serverPassword: context.Secret);
            var current = new StrongBox<TcpSource?>();
            var started = AckingClients.Start(AckingClients.Split(records(), clients), () => current.Value?.LocalEndPoint, caPath: certificates.CaPath);
            return new Input(certificates, started, current);
        });
        var source = new TcpSource(new TcpSourceOptions
        {
            Listen = "127.0.0.1:0",
            MaxFrameBytes = MaxFrameBytes,
            MaxInFlightRecords = PipelineOptions.MaxInFlightRecords,
            Acknowledgements = true,
            CertificatePath = input.Certificates.ServerPath,
            CertificatePassword = context.Secret,
        });
        input.Current.Value = source; // the clients connect to it once it listens
        return source;
    }

    private sealed record Input(TestCertificates Certificates, AckingClients Clients, StrongBox<TcpSource?> Current);
}

/// <summary>
/// The TCP sink against the sink contract, with acknowledgements, over TLS trusting the test's own CA, offering a client
/// certificate whose password is the canary secret. The peer is a test server that acknowledges frames once it kept them.
/// </summary>
public class TcpSinkContractTests : SinkContractTests<Record<ReadOnlyMemory<byte>>>
{
    private readonly ConcurrentDictionary<string, (RecordingTcpServer Server, TestCertificates Certificates)> _servers = new();

    protected virtual SocketFraming Framing => SocketFraming.NewlineDelimited;

    protected override ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context)
    {
        var (server, certificates) = Server(context);
        return new(new TcpSink(new TcpSinkOptions
        {
            Address = server.Address,
            Framing = Framing,
            Acknowledgements = true,
            Tls = true,
            TlsHostName = "localhost",
            TrustedCaPath = certificates.CaPath,
            ClientCertificatePath = certificates.ClientPath,
            ClientCertificatePassword = context.Secret,
            MaxAttempts = 3,
            InitialBackoff = TimeSpan.FromMilliseconds(5),
            MaxBackoff = TimeSpan.FromMilliseconds(20),
            Timeout = TimeSpan.FromSeconds(10),
        }));
    }

    protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) =>
        new(ReadOnlyMemory<byte>.Empty, Frames.Record(sequence), null, default, default);

    protected override ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) =>
        new([.. Server(context).Server.Records.Select(r => new Record<ReadOnlyMemory<byte>>(default, r, null, default, default))]);

    protected override ValueTask<IAsyncDisposable?> BreakAsync(ContractContext context)
    {
        var server = Server(context).Server;
        server.Down = true;
        return new(new Repair(server));
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => Frames.Id(record.Value.Span);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var (server, _) in _servers.Values)
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        base.Dispose(disposing);
    }

    private (RecordingTcpServer Server, TestCertificates Certificates) Server(ContractContext context) =>
        _servers.GetOrAdd(context.UniqueName, _ =>
        {
            var certificates = TestCertificates.Create(Path.Combine(Path.GetTempPath(), context.UniqueName + "-certificates"), clientPassword: context.Secret);
            var server = RecordingTcpServer.Start(Framing, X509CertificateLoader.LoadPkcs12FromFile(certificates.ServerPath, certificates.ServerPassword));
            return (server, certificates);
        });

    private sealed class Repair(RecordingTcpServer server) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            server.Down = false;
            return default;
        }
    }
}

/// <summary>The sink contract with length-prefixed frames.</summary>
public sealed class TcpSinkLengthPrefixedContractTests : TcpSinkContractTests
{
    protected override SocketFraming Framing => SocketFraming.LengthPrefixed;
}

/// <summary>A box a lambda can read while the test replaces what it holds.</summary>
internal sealed class StrongBox<T>
{
    public T? Value { get; set; }
}

