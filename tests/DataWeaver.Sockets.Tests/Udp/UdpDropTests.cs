using System.Diagnostics.Metrics;
using System.Net.Sockets;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using DataWeaver.Sockets.Tests.Support;

namespace DataWeaver.Sockets.Tests.Udp;

/// <summary>UDP is lossy, and the source counts what it sees dropped: oversized, undecodable, and the kernel's receive buffer overruns (Linux, where the project runs).</summary>
public sealed class UdpDropTests
{
    [Fact]
    public async Task Read_OversizedAndUndecodableDatagrams_CountedAndDeadLettered()
    {
        var source = new UdpSource(new UdpSourceOptions { Listen = "127.0.0.1:0", MaxDatagramBytes = 100, PayloadCheck = UdpPayloadCheck.Json });
        var sink = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var letters = new CollectionSink<DeadLetter>("dead-letters");
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero }).OnError(e => e.DeadLetterTo(letters)).To(sink).Build().Start();
        await Wait.UntilAsync(() => source.LocalEndPoint is not null, "the source listens");
        using var sender = new Socket(SocketType.Dgram, ProtocolType.Udp);
        sender.Connect(source.LocalEndPoint!);
        for (var i = 0; i < 60; i++)
        {
            var datagram = (i % 12) switch
            {
                5 => new byte[200],               // oversized: 5 of them
                11 => "{\"id\": broken"u8.ToArray(), // not JSON: 5 of them
                _ => Frames.Record(i),
            };
            sender.Send(datagram);
            await Wait.UntilAsync(() => source.DatagramsReceived > i, "the datagram arrived"); // one at a time: none overruns
        }

        await Wait.UntilAsync(() => sink.Count + letters.Count >= 60, "every datagram handled");
        await run.StopAsync();

        Assert.Equal(50, sink.Count);
        Assert.Equal(5, source.DroppedOversized);
        Assert.Equal(5, source.DroppedUndecodable);
        Assert.Equal(10, letters.Count);
        Assert.All(letters.Records, l => Assert.StartsWith("udp from 127.0.0.1:", Assert.IsType<SocketFrameException>(l.Exception).Connection, StringComparison.Ordinal));
        Assert.Equal(0, source.DroppedOverruns);
    }

    [Fact]
    public async Task Read_SinkStalledAndSenderFaster_KernelOverrunsCountedAndEveryDatagramAccountedFor()
    {
        const int Sent = 3_000;
        var source = new UdpSource(new UdpSourceOptions { Listen = "127.0.0.1:0", MaxInFlightRecords = 16, ReceiveBufferBytes = 16 * 1024 }, "udp-overruns"); // other tests' sources report to the same meter
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new GatedSink(gate.Task);
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero, BatchSize = 8, MaxInFlightRecords = 16 }).To(sink).Build().Start();
        await Wait.UntilAsync(() => source.LocalEndPoint is not null, "the source listens");
        long measuredOverruns = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SocketsMeter.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var all = tags.ToArray();
            if (instrument.Name == "dataweaver.sockets.udp.datagrams.dropped" && all.Contains(new("reason", "overrun")) && all.Contains(new("connector", "udp-overruns")))
            {
                Interlocked.Exchange(ref measuredOverruns, value);
            }
        });
        listener.Start();

        using (var sender = new Socket(SocketType.Dgram, ProtocolType.Udp))
        {
            sender.Connect(source.LocalEndPoint!);
            for (var i = 0; i < Sent; i++)
            {
                sender.Send(Frames.Record(i)); // the pipeline holds 16 and the kernel a few KiB: the rest is dropped
            }
        }

        await Wait.UntilAsync(() => source.DroppedOverruns > 0, "the kernel dropped datagrams");
        gate.SetResult();
        await Wait.UntilAsync(() => source.DatagramsReceived + source.DroppedOverruns == Sent, $"received + dropped = {Sent} (received {source.DatagramsReceived}, dropped {source.DroppedOverruns}, in flight {source.InFlightRecords}, written {sink.Count}, receive errors {source.ReceiveErrors})");
        await Wait.UntilAsync(() => sink.Count == source.DatagramsReceived, "every datagram received is written");
        listener.RecordObservableInstruments();
        await run.StopAsync();

        Assert.True(source.DroppedOverruns > 0);
        Assert.Equal(source.DroppedOverruns, measuredOverruns);
        Assert.Equal(Sent, source.DatagramsReceived + source.DroppedOverruns!.Value);
        Assert.Equal(source.DatagramsReceived, sink.Count);
    }

    /// <summary>A sink that writes nothing until its gate opens.</summary>
    private sealed class GatedSink(Task gate) : SinkConnector<Record<ReadOnlyMemory<byte>>>("gated")
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override async ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
        {
            await gate.WaitAsync(cancellationToken);
            Interlocked.Add(ref _count, batch.Length);
        }
    }
}
