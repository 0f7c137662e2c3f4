using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;

namespace DataWeaver.Tests.Connectors;

public sealed class EnumeratorSourceReaderTests
{
    [Fact]
    public async Task FillAsync_ItemsArriveSlowlyWithSomeUndecodable_RecordsInOrderRejectsDeadLetteredWithRawBytes()
    {
        var items = Channel.CreateUnbounded<string>();
        var source = new MessageSource(items.Reader);
        var sink = new CollectionSink<string>();
        var deadLetters = new CollectionSink<DeadLetter>("dlq");
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 32 })
            .OnError(e => e.DeadLetterTo(deadLetters))
            .To(sink)
            .Build()
            .Start();

        for (var i = 0; i < 500; i++)
        {
            await items.Writer.WriteAsync(i % 50 == 7 ? $"bad {i}" : $"ok {i}");
            if (i % 13 == 0)
            {
                await Task.Delay(1); // a read that is not ready: the reader must hand over what it has
            }
        }

        items.Writer.Complete();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(Enumerable.Range(0, 500).Where(i => i % 50 != 7).Select(i => $"ok {i}"), sink.Records);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 50 + 7L), deadLetters.Records.Select(d => d.Position!.Value.Offset));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"bad {i * 50 + 7}"), deadLetters.Records.Select(d => Encoding.UTF8.GetString(d.Payload.Span)));
        Assert.All(deadLetters.Records, d => Assert.IsType<UndecodableMessageException>(d.Exception));
        Assert.Equal(500, source.Committed);
        Assert.True(source.Disposed);
    }

    [Fact]
    public async Task FillAsync_NextItemNeverReady_HandsOverWhatItHasAndStopDisposesAfterThePendingRead()
    {
        var items = Channel.CreateUnbounded<string>();
        var source = new MessageSource(items.Reader);
        var sink = new CollectionSink<string>();
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 1_000 }).To(sink).Build().Start();

        for (var i = 0; i < 3; i++)
        {
            await items.Writer.WriteAsync($"ok {i}");
        }

        // Three records in a batch of 1,000 and no fourth coming: they must reach the sink without waiting for more.
        var deadline = DateTime.UtcNow.AddMinutes(1); // guards against a hang only
        while (sink.Records.Count < 3 && !run.Completion.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.False(run.Completion.IsCompleted, "the run ended before it was stopped");
        Assert.Equal(3, sink.Records.Count);

        await run.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(["ok 0", "ok 1", "ok 2"], sink.Records);
        Assert.Equal(3, source.Committed);
        Assert.True(source.Disposed);
    }

    /// <summary>A message source whose undecodable messages ("bad ...") go to the source error policy.</summary>
    private sealed class MessageSource(ChannelReader<string> messages) : SourceConnector<string>("messages")
    {
        public long Committed { get; private set; }

        public bool Disposed { get; private set; }

        public override IAsyncEnumerable<string> ReadAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override SourceReader<string> CreateReader() => new Reader(this);

        public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
        {
            Committed = positions[^1].Offset;
            return default;
        }

        private async IAsyncEnumerable<string> ReadMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var message in messages.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield return message;
                }
            }
            finally
            {
                Disposed = true;
            }
        }

        private sealed class Reader(MessageSource source) : EnumeratorSourceReader<string, string>
        {
            private long _ordinal;

            protected override IAsyncEnumerator<string> OpenItems(CancellationToken cancellationToken) =>
                source.ReadMessagesAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

            protected override void AddItem(SourceBuffer<string> buffer, string item)
            {
                var position = new SourcePosition(0, _ordinal++);
                if (item.StartsWith("bad", StringComparison.Ordinal))
                {
                    buffer.Reject(new UndecodableMessageException(item), position, new SourcePosition(0, _ordinal), Encoding.UTF8.GetBytes(item));
                }
                else
                {
                    buffer.Add(item, new SourcePosition(0, _ordinal));
                }
            }
        }
    }

    private sealed class UndecodableMessageException(string message) : DataWeaverException(ErrorClass.Data, message);
}
