using System.Net.Sockets;
using System.Text;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using DataWeaver.Sockets.Tests.Support;

namespace DataWeaver.Sockets.Tests.Tcp;

/// <summary>Frames on a real loopback connection: split across writes, oversized, a bad length prefix, a stream cut inside a frame.</summary>
public sealed class TcpSourceFramingTests
{
    [Theory]
    [InlineData(SocketFraming.NewlineDelimited)]
    [InlineData(SocketFraming.LengthPrefixed)]
    public async Task Read_FramesSplitAcrossWrites_EachRecordWhole(SocketFraming framing)
    {
        await using var pipeline = await Running.StartAsync(new TcpSourceOptions { Listen = "127.0.0.1:0", Framing = framing });
        var bytes = Frames.Encode(Enumerable.Range(0, 50).Select(i => Frames.Record(i)), framing);

        using (var client = await pipeline.ConnectAsync())
        {
            for (var i = 0; i < bytes.Length; i += 7)
            {
                await client.SendAsync(bytes.AsMemory(i, Math.Min(7, bytes.Length - i)), SocketFlags.None); // NoDelay: many small segments
                if (i % 70 == 0)
                {
                    await Task.Yield();
                }
            }
        }

        await Wait.UntilAsync(() => pipeline.Sink.Count >= 50, "50 records arrived");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), pipeline.Sink.Records.Select(r => Frames.Id(r.Value.Span)));
        Assert.Empty(pipeline.DeadLetters.Records);
    }

    [Theory]
    [InlineData(SocketFraming.NewlineDelimited, 25)]
    [InlineData(SocketFraming.LengthPrefixed, 28)]
    public async Task Read_OversizedFrame_DeadLetteredNamingConnectionAndOffsetThenNextFramesRead(SocketFraming framing, int oversizedOffset)
    {
        await using var pipeline = await Running.StartAsync(new TcpSourceOptions { Listen = "127.0.0.1:0", Framing = framing, MaxFrameBytes = 40 });
        var oversized = Encoding.ASCII.GetBytes(new string('x', 1000));
        using (var client = await pipeline.ConnectAsync())
        {
            await client.SendAsync(Frames.Encode([Frames.Record(1), oversized, Frames.Record(2)], framing), SocketFlags.None);
        }

        await Wait.UntilAsync(() => pipeline.Sink.Count >= 2 && pipeline.DeadLetters.Count >= 1, "two records and a dead letter");
        Assert.Equal([1L, 2L], pipeline.Sink.Records.Select(r => Frames.Id(r.Value.Span)));
        var letter = Assert.Single(pipeline.DeadLetters.Records);
        var error = Assert.IsType<SocketFrameException>(letter.Exception);
        Assert.Equal(SocketFrameError.TooLarge, error.Error);
        Assert.Equal(oversizedOffset, error.Offset);
        Assert.StartsWith("tcp#1 127.0.0.1:", error.Connection, StringComparison.Ordinal);
        Assert.Contains(error.Connection + " at byte " + oversizedOffset, error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorClass.Data, letter.ErrorClass);
        Assert.Equal(oversized[..40], letter.Payload.ToArray());
        Assert.Equal(1, pipeline.Source.FrameErrors);
    }

    [Fact]
    public async Task Read_BadLengthPrefix_DeadLetteredAndConnectionClosedOnceEarlierFramesAcknowledged()
    {
        await using var pipeline = await Running.StartAsync(new TcpSourceOptions { Listen = "127.0.0.1:0", Framing = SocketFraming.LengthPrefixed, Acknowledgements = true });
        var good = Frames.Encode([Frames.Record(1), Frames.Record(2)], SocketFraming.LengthPrefixed);
        using var client = await pipeline.ConnectAsync();
        await client.SendAsync(good.Concat(new byte[] { 0x80, 0, 0, 0, 9, 9, 9 }).ToArray(), SocketFlags.None);

        var acks = await ReadToEndAsync(client); // the source closes the connection after the last acknowledgement

        Assert.Equal(0, acks.Length % 12);                                       // acknowledgements, coalesced: at least the last, of all 3 frames
        Assert.Equal(3, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(acks.AsSpan(acks.Length - 8)));
        Assert.Equal([1L, 2L], pipeline.Sink.Records.Select(r => Frames.Id(r.Value.Span)));
        var error = Assert.IsType<SocketFrameException>(Assert.Single(pipeline.DeadLetters.Records).Exception);
        Assert.Equal(SocketFrameError.BadLengthPrefix, error.Error);
        Assert.Equal(good.Length, error.Offset);
    }

    [Fact]
    public async Task Read_ConnectionEndsInsideFrame_TruncatedFrameDeadLettered()
    {
        await using var pipeline = await Running.StartAsync(new TcpSourceOptions { Listen = "127.0.0.1:0" });
        using (var client = await pipeline.ConnectAsync())
        {
            await client.SendAsync("{\"id\":1}\n{\"id\":2"u8.ToArray(), SocketFlags.None);
        }

        await Wait.UntilAsync(() => pipeline.Sink.Count >= 1 && pipeline.DeadLetters.Count >= 1, "a record and a dead letter");
        var letter = Assert.Single(pipeline.DeadLetters.Records);
        Assert.Equal(SocketFrameError.Truncated, Assert.IsType<SocketFrameException>(letter.Exception).Error);
        Assert.Equal("{\"id\":2"u8.ToArray(), letter.Payload.ToArray());
        Assert.Equal(new SourcePosition(0, 1), letter.Position);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket client)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<byte>();
        var buffer = new byte[256];
        int read;
        while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, guard.Token)) > 0)
        {
            received.AddRange(buffer[..read]);
        }

        return [.. received];
    }
}

/// <summary>A pipeline tcp source -> memory sink, dead letters to memory, committing at once; stopped when disposed.</summary>
internal sealed class Running(TcpSource source, PipelineRun run, CollectionSink<Record<ReadOnlyMemory<byte>>> sink, CollectionSink<DeadLetter> deadLetters) : IAsyncDisposable
{
    public TcpSource Source { get; } = source;

    public PipelineRun Run { get; } = run;

    public CollectionSink<Record<ReadOnlyMemory<byte>>> Sink { get; } = sink;

    public CollectionSink<DeadLetter> DeadLetters { get; } = deadLetters;

    public static async Task<Running> StartAsync(TcpSourceOptions options)
    {
        var source = new TcpSource(options);
        var sink = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var letters = new CollectionSink<DeadLetter>("dead-letters");
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero, BatchSize = 16 })
            .OnError(e => e.DeadLetterTo(letters))
            .To(sink)
            .Build()
            .Start();
        await Wait.UntilAsync(() => source.LocalEndPoint is not null || run.Completion.IsCompleted, "the source listens");
        return new Running(source, run, sink, letters);
    }

    public async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(Source.LocalEndPoint!);
        return socket;
    }

    public async ValueTask DisposeAsync() => await Run.StopAsync();
}
