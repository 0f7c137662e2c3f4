using System.Text;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Internal;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Tests.ErrorHandling;

/// <summary>Regressions found by the second review of the error-handling code, each once a failing test.</summary>

public sealed class ErrorPolicyRegressionTests
{
    private sealed class HangFirstSink() : SinkConnector<int>("hang-first")
    {
        public int Calls;
        public override async ValueTask WriteAsync(ReadOnlyMemory<int> batch, CancellationToken ct = default)
        {
            if (Interlocked.Increment(ref Calls) == 1)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
        }
    }

    [Fact]
    public async Task SinkTimeout_FirstAttemptHangs_IsTimedOutAndRetried()
    {
        var sink = new HangFirstSink();
        var run = Pipeline.From(new CollectionSource<int>([1, 2, 3]))
            .To(sink).OnError(e => e.Retry(3, TimeSpan.Zero).Timeout(TimeSpan.FromMilliseconds(200)).Skip())
            .Build().Start();
        var done = await Task.WhenAny(run.Completion, Task.Delay(5000));
        run.Abort();
        Assert.True(done == run.Completion, $"run still hanging after 5 s; sink calls = {sink.Calls}");
    }

    private sealed class AlwaysTimeoutSink() : SinkConnector<int>("timeouts")
    {
        public int Calls;
        public override ValueTask WriteAsync(ReadOnlyMemory<int> batch, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Calls);
            throw new TimeoutException("slow");
        }
    }

    [Fact]
    public async Task SinkPolicy_TimeoutWithoutRetry_DoesNotRetry()
    {
        var sink = new AlwaysTimeoutSink();
        var run = Pipeline.From(new CollectionSource<int>([1]))
            .To(sink).OnError(e => e.Timeout(TimeSpan.FromSeconds(5)).Skip())
            .Build().Start();
        await run.Completion;
        Assert.Equal(0, run.Statistics.Retries);
        Assert.Equal(2, sink.Calls); // the batch, then the record alone
    }

    private sealed class ProcessingSink() : SinkConnector<string>("processing")
    {
        public readonly List<string> Written = [];
        public override string Process(string message) =>
            message == "bad" ? throw new DataWeaverException(ErrorClass.Data, "bad record") : message.ToUpperInvariant();
        public override ValueTask WriteAsync(ReadOnlyMemory<string> batch, CancellationToken ct = default)
        {
            lock (Written) { Written.AddRange(batch.ToArray()); }
            return default;
        }
    }

    [Fact]
    public async Task SinkProcess_ThrowsDataError_DeadLettersThePoisonAndProcessesTheRest()
    {
        var sink = new ProcessingSink();
        var dlq = new CollectionSink<DeadLetter>("dlq");
        var run = Pipeline.From(new CollectionSource<string>(["a", "bad", "c"]))
            .To(sink).OnError(e => e.DeadLetterTo(dlq))
            .Build().Start();
        await run.Completion;
        Assert.Equal(["A", "C"], sink.Written);
        Assert.Single(dlq.Records);
    }

    [Fact]
    public async Task JsonLines_LineOfExactlyMaxBytesWithCrLfAcrossBufferEnd_IsNotRejected()
    {
        var dir = Directory.CreateTempSubdirectory("dw-crlf-").FullName;
        var path = Path.Combine(dir, "in.jsonl");
        var line = new string('a', 4095);
        await File.WriteAllTextAsync(path, line + "\r\n" + "b\r\n");
        var sink = new CollectionSink<string>();
        var run = Pipeline.From(new JsonLinesSource(path, new JsonLinesSourceOptions { BufferSize = 4096, MaxRecordBytes = 4095 }))
            .OnError(e => e.Skip())
            .Map(r => Encoding.UTF8.GetString(r.Value.Span))
            .To(sink).Build().Start();
        await run.Completion;
        Assert.Equal([line, "b"], sink.Records);
        Directory.Delete(dir, recursive: true);
    }

    public sealed record Probe(int Id);

    private sealed class AckThenThrowSink() : SinkConnector<Probe>("ack-then-throw")
    {
        public readonly List<int> SeenCounts = [];
        public override ValueTask WriteAsync(ReadOnlyMemory<Probe> batch, CancellationToken ct = default) => default;
        public override ValueTask WriteBatchAsync(ReadOnlyMemory<Probe> batch, SinkAcknowledgement ack, CancellationToken ct = default)
        {
            lock (SeenCounts) { SeenCounts.Add(batch.Length); }
            ack.Acknowledge();
            if (SeenCounts.Count == 1)
            {
                throw new TimeoutException("flush failed after the delivery report");
            }
            return default;
        }
    }

    [Fact]
    public async Task Sink_AcksInsideAFailedAttempt_CountsAsWrittenAndRecyclesTheBatchOnce()
    {
        var sink = new AckThenThrowSink();
        var run = Pipeline.From(new CollectionSource<Probe>([new(1), new(2), new(3)]))
            .To(sink).OnError(e => e.Retry(3, TimeSpan.Zero).Skip())
            .Build().Start();
        await run.Completion;
        var rented = Enumerable.Range(0, 64).Select(_ => Batch<Probe>.Rent(1)).ToList();
        var distinct = rented.Distinct(ReferenceEqualityComparer.Instance).Count();
        Assert.Equal([3], sink.SeenCounts);
        Assert.True(distinct == 64 && sink.SeenCounts.All(c => c == 3),
            $"calls saw {string.Join(",", sink.SeenCounts)} records; distinct pooled batches {distinct}/64");
    }
}
