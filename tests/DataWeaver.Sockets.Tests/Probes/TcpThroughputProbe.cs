using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DataWeaver.Connectors;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Sockets.Tests.Support;
using Xunit.Abstractions;

namespace DataWeaver.Sockets.Tests.Probes;

/// <summary>
/// A throughput probe, not a test of speed (nothing is asserted about time; the machine is shared and noisy): the TCP source
/// (frames -> pipeline -> a sink that counts) against a hand-written socket loop that accepts the same connections and parses the
/// same frames (counting them, summing their lengths), alternating rounds in one run, over the same pre-encoded bytes sent by the
/// same clients on loopback, after one unmeasured warm-up round of each. Prints the records/s ratio (higher is better) and the
/// ratio of process CPU time (lower is better).
/// Run: <c>dotnet test tests/DataWeaver.Sockets.Tests -c Release --filter FullyQualifiedName~TcpThroughputProbe --logger "console;verbosity=detailed"</c>.
/// </summary>
[Trait("Category", "Soak")]
public sealed class TcpThroughputProbe(ITestOutputHelper output)
{
    private const int Rounds = 5;

    [Theory]
    [InlineData(SocketFraming.NewlineDelimited, 4, 2_000_000, false)]
    [InlineData(SocketFraming.LengthPrefixed, 4, 2_000_000, false)]
    [InlineData(SocketFraming.NewlineDelimited, 4, 2_000_000, true)]
    public async Task Source_AgainstHandWrittenSocketLoop(SocketFraming framing, int connections, int records, bool acknowledgements)
    {
        var perConnection = records / connections;
        var bytes = Frames.Encode(Enumerable.Range(0, perConnection).Select(i => Frames.Record(i)), framing);
        var ratios = new List<double>();
        var cpu = new List<double>();
        var inMemory = Enumerable.Range(0, records).Select(i => new Record<ReadOnlyMemory<byte>>(default, Frames.Record(i % perConnection), null, default, default)).ToArray();
        // One round of each unmeasured first: both sides run their hot loops JIT-optimized in every measured round.
        await HandWrittenAsync(framing, connections, bytes, perConnection);
        await SourceAsync(framing, connections, bytes, records, acknowledgements);
        await EngineOnlyAsync(inMemory);
        for (var round = 0; round < Rounds; round++)
        {
            var (peer, peerCpu) = await MeasureAsync(() => HandWrittenAsync(framing, connections, bytes, perConnection), records);
            var (ours, ourCpu) = await MeasureAsync(() => SourceAsync(framing, connections, bytes, records, acknowledgements), records);
            var (engine, _) = await MeasureAsync(() => EngineOnlyAsync(inMemory), records);
            ratios.Add(ours / peer);
            cpu.Add(ourCpu / peerCpu);
            output.WriteLine($"round {round + 1}: tcp source {ours:F0} records/s, hand-written loop {peer:F0} records/s: {ours / peer:F2}x; CPU {ourCpu / peerCpu:F2}x; the same records from memory through the same pipeline: {engine:F0} records/s");
        }

        ratios.Sort();
        cpu.Sort();
        output.WriteLine($"tcp source / hand-written loop, {framing}, {connections} connections, {records} records of {bytes.Length / perConnection} bytes framed{(acknowledgements ? ", acknowledgements on" : "")}: throughput {ratios[0]:F2}x-{ratios[^1]:F2}x (median {ratios[Rounds / 2]:F2}x), CPU median {cpu[Rounds / 2]:F2}x");
    }

    private static async Task<(double RecordsPerSecond, double CpuSeconds)> MeasureAsync(Func<Task> run, int records)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await run();
        watch.Stop();
        process.Refresh();
        return (records / watch.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    private static async Task SourceAsync(SocketFraming framing, int connections, byte[] bytes, int records, bool acknowledgements)
    {
        var source = new TcpSource(new TcpSourceOptions { Listen = "127.0.0.1:0", Framing = framing, MaxInFlightRecords = 16_384, Acknowledgements = acknowledgements });
        var sink = new CountingSink();
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 1_024, MaxInFlightRecords = 16_384, CommitInterval = TimeSpan.Zero }).To(sink).Build().Start();
        await Wait.UntilAsync(() => source.LocalEndPoint is not null, "the source listens");
        await SendAsync(source.LocalEndPoint!, connections, bytes);
        await Wait.UntilAsync(() => sink.Count >= records || run.Completion.IsCompleted, "every record was written", 300);
        await run.StopAsync();
        Assert.Equal(records, sink.Count);
    }

    /// <summary>The pipeline alone: the same records from memory (a CollectionSource) into the same counting sink, same options.</summary>
    private static async Task EngineOnlyAsync(Record<ReadOnlyMemory<byte>>[] records)
    {
        var sink = new CountingSink();
        await Pipeline.From(new DataWeaver.Connectors.Memory.CollectionSource<Record<ReadOnlyMemory<byte>>>(records), new PipelineOptions { BatchSize = 1_024, MaxInFlightRecords = 16_384, CommitInterval = TimeSpan.Zero }).To(sink).Build().RunAsync();
        Assert.Equal(records.Length, sink.Count);
    }

    /// <summary>The peer: accept the connections, read each into a 64 KiB buffer and cut the frames, counting them.</summary>
    private static async Task HandWrittenAsync(SocketFraming framing, int connections, byte[] bytes, int perConnection)
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(connections);
        var serving = Enumerable.Range(0, connections).Select(async _ =>
        {
            using var socket = await listener.AcceptAsync();
            return await Task.Run(() => ParseAsync(socket, framing));
        }).ToArray();
        await SendAsync((IPEndPoint)listener.LocalEndPoint!, connections, bytes);
        var counts = await Task.WhenAll(serving);
        Assert.All(counts, c => Assert.Equal(perConnection, c.Frames));
    }

    private static async Task<(long Frames, long Bytes)> ParseAsync(Socket socket, SocketFraming framing)
    {
        var buffer = new byte[64 * 1024];
        int filled = 0, read;
        long frames = 0, total = 0;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None)) > 0)
        {
            filled += read;
            var consumed = 0;
            while (true)
            {
                var rest = buffer.AsSpan(consumed, filled - consumed);
                int length, size;
                if (framing == SocketFraming.NewlineDelimited)
                {
                    length = rest.IndexOf((byte)'\n');
                    size = length + 1;
                }
                else
                {
                    length = rest.Length >= 4 ? (int)BinaryPrimitives.ReadUInt32BigEndian(rest) : -1;
                    size = length + 4;
                    length = length >= 0 && rest.Length >= size ? length : -1;
                }

                if (length < 0)
                {
                    break;
                }

                frames++;
                total += length;
                consumed += size;
            }

            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
        }

        return (frames, total);
    }

    /// <summary>The clients: each connection sends the same pre-encoded frames in 64 KiB writes, then closes.</summary>
    private static Task SendAsync(IPEndPoint address, int connections, byte[] bytes) =>
        Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(address);
            for (var i = 0; i < bytes.Length; i += 64 * 1024)
            {
                await socket.SendAsync(bytes.AsMemory(i, Math.Min(64 * 1024, bytes.Length - i)), SocketFlags.None);
            }

            socket.Shutdown(SocketShutdown.Send);
            var drain = new byte[4096];
            while (await socket.ReceiveAsync(drain, SocketFlags.None) > 0)
            {
                // acknowledgements, if any, until the server closes
            }
        })));

    private sealed class CountingSink() : SinkConnector<Record<ReadOnlyMemory<byte>>>("count")
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public override ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _count, batch.Length);
            return default;
        }
    }
}
