using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Sockets.Tests.Support;
using DataWeaver.Testing.Contracts;

namespace DataWeaver.Sockets.Tests.Contract;

/// <summary>
/// The UDP source against the source contract. Its input is a sender on loopback that keeps at most 32 datagrams ahead of what
/// the source received, so the kernel never has to drop any: the losses UDP allows are tested in Udp/UdpDropTests. UDP has no
/// acknowledgements, so nothing can be read again after a restart: the restart tests do not apply.
/// </summary>
public sealed class UdpSourceContractTests : SourceContractTests<Record<ReadOnlyMemory<byte>>>
{
    private readonly ConcurrentDictionary<string, Task> _senders = new();

    [Fact(Skip = "UDP has no acknowledgements: a sender cannot know what a stopped source delivered, so a restart cannot resume (docs/sockets.md).")]
    public override Task Stop_WhileRecordsInFlight_DrainsAndRestartResumesAfterEverythingDelivered() => Task.CompletedTask;

    [Fact(Skip = "UDP has no acknowledgements: nothing unacknowledged can be read again after a crash (docs/sockets.md).")]
    public override Task Restart_AfterPartialAcknowledgement_RereadsExactlyTheUnacknowledged() => Task.CompletedTask;

    protected override ValueTask<SourceConnector<Record<ReadOnlyMemory<byte>>>> CreateSourceAsync(ContractContext context) =>
        new(Start(context, [.. Enumerable.Range(0, context.RecordCount).Select(i => Frames.Record(i))], UdpPayloadCheck.None));

    protected override ValueTask<PoisonInput<Record<ReadOnlyMemory<byte>>>?> CreatePoisonSourceAsync(ContractContext context)
    {
        var datagrams = new List<byte[]>();
        var poison = new List<PoisonRecord>();
        for (var i = 0; i < context.RecordCount; i++)
        {
            if (i % 100 == 50)
            {
                var bad = "{\"id\": broken"u8.ToArray();
                poison.Add(new PoisonRecord(bad, new SourcePosition(0, datagrams.Count)));
                datagrams.Add(bad);
            }

            datagrams.Add(Frames.Record(i));
        }

        return new(new PoisonInput<Record<ReadOnlyMemory<byte>>>(Start(context, datagrams, UdpPayloadCheck.Json), poison));
    }

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => Frames.Id(record.Value.Span);

    private UdpSource Start(ContractContext context, IReadOnlyList<byte[]> datagrams, UdpPayloadCheck check)
    {
        var source = new UdpSource(new UdpSourceOptions { Listen = "127.0.0.1:0", MaxInFlightRecords = PipelineOptions.MaxInFlightRecords, PayloadCheck = check });
        _senders[context.UniqueName + check] = Task.Run(() => SendPacedAsync(source, datagrams));
        return source;
    }

    /// <summary>Sends once the source listens, at most 32 datagrams ahead of what it received.</summary>
    private async Task SendPacedAsync(UdpSource source, IReadOnlyList<byte[]> datagrams)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (source.LocalEndPoint is null)
        {
            await Task.Delay(5, guard.Token);
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(source.LocalEndPoint);
        for (var i = 0; i < datagrams.Count; i++)
        {
            while (i - source.DatagramsReceived >= 32)
            {
                await Task.Delay(1, guard.Token);
            }

            await socket.SendAsync(datagrams[i], SocketFlags.None, guard.Token);
        }
    }
}

/// <summary>The UDP sink against the sink contract, sending to a socket of the test on loopback, which reads back what is queued on it.</summary>
public sealed class UdpSinkContractTests : SinkContractTests<Record<ReadOnlyMemory<byte>>>
{
    private readonly ConcurrentDictionary<string, Receiver> _receivers = new();

    protected override ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context) =>
        new(new UdpSink(new UdpSinkOptions { Address = "127.0.0.1:" + ReceiverOf(context).Port }));

    protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) =>
        new(ReadOnlyMemory<byte>.Empty, Frames.Record(sequence), null, default, default);

    protected override ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) =>
        new([.. ReceiverOf(context).Drain().Select(r => new Record<ReadOnlyMemory<byte>>(default, r, null, default, default))]);

    protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => Frames.Id(record.Value.Span);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var receiver in _receivers.Values)
            {
                receiver.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private Receiver ReceiverOf(ContractContext context) => _receivers.GetOrAdd(context.UniqueName, _ => new Receiver());

    /// <summary>A UDP socket with a large receive buffer; reading back takes everything queued on it.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 8 << 20 };
        private readonly List<byte[]> _received = [];

        public Receiver() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

        public IReadOnlyList<byte[]> Drain()
        {
            lock (_received)
            {
                var buffer = new byte[65_536];
                while (_socket.Available > 0)
                {
                    var length = _socket.Receive(buffer);
                    _received.Add(buffer[..length]);
                }

                return [.. _received];
            }
        }

        public void Dispose() => _socket.Dispose();
    }
}
