using System.Threading.Channels;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;

namespace DataWeaver.Tests.Connectors;

public sealed class QueueSourceReaderTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(1); // guards against a hang only

    [Fact]
    public async Task FillAsync_QueueEmpty_WaitsOnlyForTheFirstChunkThenHandsOverWithoutWaiting()
    {
        var queue = Channel.CreateUnbounded<Chunk>();
        var reader = new ChunkReader(queue.Reader, splitChunks: true);
        var fill = new Fill(reader, limit: 100);

        var first = fill.RunAsync(CancellationToken.None);
        Assert.False(first.IsCompleted); // nothing queued: the fill waits
        queue.Writer.TryWrite(new Chunk(0, 3));

        Assert.True(await first.AsTask().WaitAsync(Hang));
        Assert.Equal([0, 1, 2], fill.Records); // three of a hundred: handed over without waiting for more

        // A chunk queued while no fill ran is the next fill's, at once.
        queue.Writer.TryWrite(new Chunk(3, 2));
        var second = fill.RunAsync(CancellationToken.None);
        Assert.True(second.IsCompleted);
        Assert.True(await second);
        Assert.Equal([3, 4], fill.Records);
        Assert.Equal([0, 3], reader.HandedOver.Select(c => c.First));
    }

    [Fact]
    public async Task FillAsync_SplitChunks_ChunkLargerThanTheFillContinuesInTheNextFillsInOrder()
    {
        var queue = Channel.CreateUnbounded<Chunk>();
        var reader = new ChunkReader(queue.Reader, splitChunks: true);
        queue.Writer.TryWrite(new Chunk(0, 10));
        queue.Writer.TryWrite(new Chunk(10, 3));
        var fill = new Fill(reader, limit: 4);

        var fills = new List<int[]>();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(await fill.RunAsync(CancellationToken.None).AsTask().WaitAsync(Hang));
            fills.Add(fill.Records);
        }

        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12]], fills);
        Assert.Equal([0, 10], reader.HandedOver.Select(c => c.First)); // each once its last record was in a buffer
    }

    [Fact]
    public async Task FillAsync_WholeChunks_NextChunkWaitsForAFillWithRoomAndAnOversizedOneIsSplitFromAnEmptyFill()
    {
        var queue = Channel.CreateUnbounded<Chunk>();
        var reader = new ChunkReader(queue.Reader, splitChunks: false);
        queue.Writer.TryWrite(new Chunk(0, 3));
        queue.Writer.TryWrite(new Chunk(3, 3));
        queue.Writer.TryWrite(new Chunk(6, 9));
        var fill = new Fill(reader, limit: 4);

        var fills = new List<int[]>();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(await fill.RunAsync(CancellationToken.None).AsTask().WaitAsync(Hang));
            fills.Add(fill.Records);
        }

        // 3 of 4 (the next 3 would not fit whole), 3, then the chunk of 9 from empty fills: 4, 4, 1.
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6, 7, 8, 9], [10, 11, 12, 13], [14]], fills);
    }

    [Fact]
    public async Task FillAsync_StoppedWhileWaiting_TheWaitEndsAndTheDrainFillHandsOverWhatCameThenReleasesTheRest()
    {
        var queue = Channel.CreateUnbounded<Chunk>();
        var reader = new ChunkReader(queue.Reader, splitChunks: true);
        var fill = new Fill(reader, limit: 4);
        using var stop = new CancellationTokenSource();

        var waiting = fill.RunAsync(stop.Token);
        Assert.False(waiting.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().WaitAsync(Hang));

        // Chunks that arrived meanwhile: the drain fill hands over what fits, waits for nothing and ends the source.
        queue.Writer.TryWrite(new Chunk(0, 3));
        queue.Writer.TryWrite(new Chunk(3, 3));
        queue.Writer.TryWrite(new Chunk(6, 2));
        var drain = fill.RunAsync(stop.Token);
        Assert.True(drain.IsCompleted);
        Assert.False(await drain);
        Assert.Equal([0, 1, 2, 3], fill.Records);
        Assert.Equal(1, reader.Drained);
        Assert.Equal([6, 7], reader.LeftInQueueWhenDrained); // still queued: the connector releases them, never delivered

        await reader.DisposeAsync();
        Assert.Equal([(3, 2)], reader.Released); // the chunk split by the drain: its last two records are released
    }

    [Fact]
    public async Task FillAsync_DrainWithNothingQueued_ReturnsAtOnceWithoutRecords()
    {
        var queue = Channel.CreateUnbounded<Chunk>();
        var reader = new ChunkReader(queue.Reader, splitChunks: false);
        var fill = new Fill(reader, limit: 4);

        var drain = fill.RunAsync(new CancellationToken(canceled: true));

        Assert.True(drain.IsCompleted);
        Assert.False(await drain);
        Assert.Empty(fill.Records);
        Assert.Equal(1, reader.Drained);
    }

    [Fact]
    public async Task DisposeAsync_ChunkPartlyHandedOver_ReleasesItsRestOnceAndAWholeChunkNever()
    {
        var queue = Channel.CreateUnbounded<Chunk>();
        var reader = new ChunkReader(queue.Reader, splitChunks: true);
        queue.Writer.TryWrite(new Chunk(0, 2));
        queue.Writer.TryWrite(new Chunk(2, 5));
        var fill = new Fill(reader, limit: 4);
        Assert.True(await fill.RunAsync(CancellationToken.None).AsTask().WaitAsync(Hang));

        await reader.DisposeAsync();
        await reader.DisposeAsync();

        Assert.Equal([(2, 3)], reader.Released); // chunk 2 handed 2 of 5: 3 released, once; chunk 0 was whole
        Assert.Equal([0], reader.HandedOver.Select(c => c.First));
    }

    [Fact]
    public async Task FillAsync_WriterCompleted_EndsTheSourceOnceEverythingQueuedIsHandedOver()
    {
        var queue = Channel.CreateUnbounded<Chunk>();
        var reader = new ChunkReader(queue.Reader, splitChunks: true);
        queue.Writer.TryWrite(new Chunk(0, 6));
        queue.Writer.Complete();
        var fill = new Fill(reader, limit: 4);

        Assert.True(await fill.RunAsync(CancellationToken.None).AsTask().WaitAsync(Hang));
        Assert.True(await fill.RunAsync(CancellationToken.None).AsTask().WaitAsync(Hang));
        Assert.Equal([4, 5], fill.Records);
        Assert.False(await fill.RunAsync(CancellationToken.None).AsTask().WaitAsync(Hang));
        Assert.Empty(fill.Records);
    }

    [Fact]
    public async Task FillAsync_AddRecordsDoesNotAdvanceTheChunk_ThrowsInsteadOfSpinning()
    {
        var queue = Channel.CreateUnbounded<Chunk>();
        var reader = new ChunkReader(queue.Reader, splitChunks: true) { Stuck = true };
        queue.Writer.TryWrite(new Chunk(0, 3));
        var fill = new Fill(reader, limit: 10);

        await Assert.ThrowsAsync<InvalidOperationException>(() => fill.RunAsync(CancellationToken.None).AsTask().WaitAsync(Hang));
    }

    [Fact]
    public void Constructor_WholeChunksOverAQueueThatCannotPeek_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ChunkReader(new NoPeekReader(), splitChunks: false));
        _ = new ChunkReader(new NoPeekReader(), splitChunks: true); // splitting needs no peek
    }

    [Fact]
    public async Task RunAsync_ChunksOfEverySizeWithRejectsThenStop_EveryRecordInOrderEachRejectDeadLetteredAllCommitted()
    {
        var source = new PushedSource();
        var sink = new CollectionSink<int>();
        var deadLetters = new CollectionSink<DeadLetter>("dlq");
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 16 })
            .OnError(e => e.DeadLetterTo(deadLetters))
            .To(sink)
            .Build()
            .Start();

        var next = 0;
        for (var size = 0; next < 2_000; size = (size + 7) % 40)
        {
            source.Queue.Writer.TryWrite(new Chunk(next, size));
            next += size;
            if (size % 3 == 0)
            {
                await Task.Yield();
            }
        }

        var deadline = DateTime.UtcNow + Hang;
        while (sink.Records.Count + deadLetters.Records.Count < next && !run.Completion.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await run.StopAsync().WaitAsync(Hang);
        await run.Completion.WaitAsync(Hang);

        Assert.Equal(Enumerable.Range(0, next).Where(i => i % 97 != 5), sink.Records);
        Assert.Equal(Enumerable.Range(0, next).Where(i => i % 97 == 5).Select(i => (long)i), deadLetters.Records.Select(d => d.Position!.Value.Offset));
        Assert.Equal(next, source.Committed);
        Assert.Equal(1, source.Drained);
    }

    /// <summary>Records <c>First..First+Count-1</c>; <see cref="Handed"/> counts how many were added.</summary>
    private sealed class Chunk(int first, int count)
    {
        public int First { get; } = first;

        public int Count { get; } = count;

        public int Handed { get; set; }
    }

    /// <summary>A reader of numbered chunks that records what the base class asked of it.</summary>
    private sealed class ChunkReader(ChannelReader<Chunk> queue, bool splitChunks) : QueueSourceReader<int, Chunk>(queue, splitChunks)
    {
        private readonly ChannelReader<Chunk> _queue = queue;

        public List<Chunk> HandedOver { get; } = [];

        public List<(int First, int Left)> Released { get; } = [];

        public int Drained { get; private set; }

        public List<int> LeftInQueueWhenDrained { get; } = [];

        public bool Stuck { get; init; }

        protected override int Remaining(Chunk chunk) => chunk.Count - chunk.Handed;

        protected override void AddRecords(SourceBuffer<int> buffer, Chunk chunk, int count)
        {
            if (!Stuck)
            {
                AddNumbers(buffer, chunk, count);
            }
        }

        protected override void OnHandedOver(Chunk chunk) => HandedOver.Add(chunk);

        protected override void OnDrained()
        {
            Drained++;
            while (_queue.TryRead(out var chunk))
            {
                LeftInQueueWhenDrained.AddRange(Enumerable.Range(chunk.First + chunk.Handed, chunk.Count - chunk.Handed));
            }
        }

        protected override void ReleasePartial(Chunk chunk) => Released.Add((chunk.First, chunk.Count - chunk.Handed));
    }

    /// <summary>Adds each record as its number; with <paramref name="rejects"/>, every 97th (from 5) is rejected as undecodable.</summary>
    private static void AddNumbers(SourceBuffer<int> buffer, Chunk chunk, int count, bool rejects = false)
    {
        for (var i = 0; i < count; i++)
        {
            var value = chunk.First + chunk.Handed++;
            if (rejects && value % 97 == 5)
            {
                buffer.Reject(new DataWeaverException(ErrorClass.Data, $"bad {value}"), new SourcePosition(0, value), new SourcePosition(0, value + 1));
            }
            else
            {
                buffer.Add(value, new SourcePosition(0, value + 1));
            }
        }
    }

    /// <summary>Runs fills the way the engine does: a buffer begun with a limit, filled, sealed; collects the records.</summary>
    private sealed class Fill(SourceReader<int> reader, int limit)
    {
        private readonly SourceBuffer<int> _buffer = new(limit);

        public int[] Records { get; private set; } = [];

        public async ValueTask<bool> RunAsync(CancellationToken cancellationToken)
        {
            _buffer.Begin(limit);
            try
            {
                return await reader.FillAsync(_buffer, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _buffer.Seal();
                Records = _buffer.SealedParts.SelectMany(p => p.Batch.Items.Take(p.Batch.Count)).ToArray();
                foreach (var part in _buffer.SealedParts)
                {
                    part.Batch.Release();
                }
            }
        }
    }

    /// <summary>A source whose records are pushed into <see cref="Queue"/>; counts what the pipeline committed.</summary>
    private sealed class PushedSource() : SourceConnector<int>("pushed")
    {
        private long _committed;

        public Channel<Chunk> Queue { get; } = Channel.CreateUnbounded<Chunk>();

        public long Committed => Interlocked.Read(ref _committed);

        public int Drained { get; private set; }

        public override SourceReader<int> CreateReader() => new Reader(this);

        public override IAsyncEnumerable<int> ReadAsync(CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Reads through its reader.");

        public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
        {
            Interlocked.Exchange(ref _committed, positions[^1].Offset);
            return default;
        }

        private sealed class Reader(PushedSource source) : QueueSourceReader<int, Chunk>(source.Queue.Reader)
        {
            protected override int Remaining(Chunk chunk) => chunk.Count - chunk.Handed;

            protected override void AddRecords(SourceBuffer<int> buffer, Chunk chunk, int count) => AddNumbers(buffer, chunk, count, rejects: true);

            protected override void OnDrained() => source.Drained++;
        }
    }

    /// <summary>A queue that cannot peek.</summary>
    private sealed class NoPeekReader : ChannelReader<Chunk>
    {
        public override bool TryRead(out Chunk item)
        {
            item = null!;
            return false;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => new(false);
    }
}
