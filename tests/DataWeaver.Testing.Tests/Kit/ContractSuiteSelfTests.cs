using System.Text;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;
using Xunit.Sdk;

namespace DataWeaver.Testing.Tests.Kit;

/// <summary>
/// The contract suites catch what they promise to catch: each runs against a connector broken in one way, and the test
/// for that property fails with a message naming it. (The broken subclasses are not public, so xUnit does not run them
/// as contracts of their own.)
/// </summary>
public sealed class ContractSuiteSelfTests
{
    [Fact]
    public async Task SourceSuite_SourceCommittingWhatItReadNotWhatWasAcknowledged_FailsThePartialAcknowledgementTest()
    {
        using var suite = new CommitsReadPositionSourceContract();

        var failure = await Assert.ThrowsAnyAsync<XunitException>(suite.Restart_AfterPartialAcknowledgement_RereadsExactlyTheUnacknowledged);

        Assert.Contains("lost", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("lost 0", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SourceSuite_SourceRepeatingARecord_FailsTheReadTest()
    {
        using var suite = new RepeatingSourceContract();

        var failure = await Assert.ThrowsAnyAsync<XunitException>(suite.Read_AllRecords_DeliversEachRecordOnce);

        Assert.Contains("duplicated 1 (first: 0)", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SourceSuite_SourceWithoutPoison_SkipsThePoisonTest()
    {
        using var suite = new RepeatingSourceContract();

        await Assert.ThrowsAsync<Xunit.SkipException>(suite.Read_PoisonInput_DeadLettersOriginalBytesAndCoordinates);
    }

    [Fact]
    public async Task SourceSuite_SourceLoggingItsPassword_FailsTheSecretsTest()
    {
        using var suite = new LoggingPasswordSourceContract();

        var failure = await Assert.ThrowsAnyAsync<XunitException>(suite.Secrets_CanaryInSettings_AbsentFromOutputsLogsDeadLettersAndCheckpoints);

        Assert.Contains("The canary secret leaked", failure.Message, StringComparison.Ordinal);
        Assert.Contains("log: connecting with password dw-canary-", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SourceSuite_SourceDeadLetteringDecodedTextInsteadOfTheBytes_FailsThePoisonTest()
    {
        using var suite = new MangledPoisonSourceContract();

        var failure = await Assert.ThrowsAnyAsync<XunitException>(suite.Read_PoisonInput_DeadLettersOriginalBytesAndCoordinates);

        Assert.Contains("its payload 7BEFBFBD7D is not the original bytes 7BFF7D", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SinkSuite_SinkAcknowledgingBeforeItWrites_FailsTheAcknowledgementTest()
    {
        using var suite = new AcknowledgeFirstSinkContract();

        var failure = await Assert.ThrowsAnyAsync<XunitException>(suite.Write_EachAcknowledgement_RecordsAlreadyReadableBack);

        Assert.Contains("acknowledged before they were written", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SinkSuite_SinkDroppingTheLastRecordOfEachBatch_FailsTheBatchBoundaryTest()
    {
        using (var single = new DropsLastOfBatchSinkContract())
        {
            await single.Write_BatchBoundaries_EveryRecordOnce(1);
        }

        using var suite = new DropsLastOfBatchSinkContract();
        var failure = await Assert.ThrowsAnyAsync<XunitException>(() => suite.Write_BatchBoundaries_EveryRecordOnce(7));

        Assert.Contains("lost 22 (first: 6, 13, 20", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SinkSuite_SinkAcknowledgingWritesItLost_FailsTheFailedWritesTest()
    {
        using var suite = new AcknowledgesFailuresSinkContract();

        var failure = await Assert.ThrowsAnyAsync<XunitException>(suite.Write_SystemFails_FailedRecordsNeverAcknowledged);

        Assert.Contains("were never written", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SinkSuite_SinkWritingItsTokenIntoRecords_FailsTheSecretsTest()
    {
        using var suite = new TokenHeaderSinkContract();

        var failure = await Assert.ThrowsAnyAsync<XunitException>(suite.Secrets_CanaryInSettings_AbsentFromOutputsLogsAndFiles);

        Assert.Contains("record read back:", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Restarts after everything the previous run read, acknowledged or not.</summary>
    private sealed class CommitsReadPositionSourceContract : SourceContractTests<long>
    {
        private long _read;

        protected override ValueTask<SourceConnector<long>> CreateSourceAsync(ContractContext context)
        {
            var start = Interlocked.Read(ref _read);
            var records = Enumerable.Range(0, context.RecordCount).Select(i => (long)i).ToArray();
            return new(new CountingCollectionSource(records, start, read => Interlocked.Exchange(ref _read, read)));
        }

        protected override long GetSequence(long record) => record;

        private sealed class CountingCollectionSource(long[] records, long start, Action<long> readUpTo) : SourceConnector<long>
        {
            public override async IAsyncEnumerable<long> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
            {
                for (var i = start; i < records.Length; i++)
                {
                    readUpTo(i + 1);
                    yield return records[i];
                    await Task.Yield();
                }
            }

            protected override SourcePosition GetResumePosition(in long record, long ordinal) => new(0, record + 1);
        }
    }

    /// <summary>Delivers record 0 a second time at the end.</summary>
    private sealed class RepeatingSourceContract : SourceContractTests<long>
    {
        protected override ValueTask<SourceConnector<long>> CreateSourceAsync(ContractContext context) =>
            new(new CollectionSource<long>([.. Enumerable.Range(0, context.RecordCount).Select(i => (long)i), 0]));

        protected override long GetSequence(long record) => record;
    }

    /// <summary>Dead-letters its poison line as decoded text (U+FFFD for the invalid byte), not as the bytes it read.</summary>
    private sealed class MangledPoisonSourceContract : SourceContractTests<long>
    {
        private static readonly byte[] Original = [(byte)'{', 0xFF, (byte)'}'];

        protected override ValueTask<SourceConnector<long>> CreateSourceAsync(ContractContext context) =>
            new(new CollectionSource<long>([.. Enumerable.Range(0, context.RecordCount).Select(i => (long)i)]));

        protected override ValueTask<PoisonInput<long>?> CreatePoisonSourceAsync(ContractContext context) =>
            new(new PoisonInput<long>(new Source(context.RecordCount), [new PoisonRecord(Original, new SourcePosition(0, 5))]));

        protected override long GetSequence(long record) => record;

        private sealed class Source(int count) : SourceConnector<long>
        {
            public override IAsyncEnumerable<long> ReadAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

            public override SourceReader<long> CreateReader() => new Reader(count);
        }

        private sealed class Reader(int count) : SourceReader<long>
        {
            private long _next;
            private bool _rejected;

            public override ValueTask<bool> FillAsync(SourceBuffer<long> buffer, CancellationToken cancellationToken)
            {
                while (buffer.Remaining > 0 && _next < count)
                {
                    if (_next == 5 && !_rejected)
                    {
                        _rejected = true;
                        var mangled = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Original));
                        buffer.Reject(new Errors.DataWeaverException(Errors.ErrorClass.Data, "not JSON"), new SourcePosition(0, 5), new SourcePosition(0, 6), mangled);
                    }

                    buffer.Add(_next, new SourcePosition(0, _next < 5 ? _next + 1 : _next + 2));
                    _next++;
                }

                return new(_next < count);
            }
        }
    }

    /// <summary>Writes its password into its log.</summary>
    private sealed class LoggingPasswordSourceContract : SourceContractTests<long>
    {
        protected override ValueTask<SourceConnector<long>> CreateSourceAsync(ContractContext context)
        {
            context.Log("connecting with password " + context.Secret);
            return new(new CollectionSource<long>([.. Enumerable.Range(0, context.RecordCount).Select(i => (long)i)]));
        }

        protected override long GetSequence(long record) => record;
    }

    /// <summary>An in-memory store for the broken sinks below, read back like an external system.</summary>
    private abstract class StoreSinkContract : SinkContractTests<long>
    {
        protected List<long> Store { get; } = [];

        protected override long CreateRecord(long sequence, ContractContext context) => sequence;

        protected override ValueTask<IReadOnlyList<long>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken)
        {
            lock (Store)
            {
                return new([.. Store]);
            }
        }

        protected override long GetSequence(long record) => record;

        protected void Write(ReadOnlySpan<long> records)
        {
            lock (Store)
            {
                Store.AddRange(records);
            }
        }
    }

    /// <summary>Acknowledges a batch at once and writes it only when the next batch comes (or on flush).</summary>
    private sealed class AcknowledgeFirstSinkContract : StoreSinkContract
    {
        protected override ValueTask<SinkConnector<long>> CreateSinkAsync(ContractContext context) => new(new Sink(this));

        private sealed class Sink(AcknowledgeFirstSinkContract test) : SinkConnector<long>
        {
            private long[] _pending = [];

            public override ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
            {
                test.Write(_pending);
                _pending = batch.ToArray();
                return default;
            }

            public override ValueTask FlushAsync(CancellationToken cancellationToken = default)
            {
                test.Write(_pending);
                _pending = [];
                return default;
            }
        }
    }

    /// <summary>Loses the last record of every batch of more than one record.</summary>
    private sealed class DropsLastOfBatchSinkContract : StoreSinkContract
    {
        protected override ValueTask<SinkConnector<long>> CreateSinkAsync(ContractContext context) => new(new Sink(this));

        private sealed class Sink(DropsLastOfBatchSinkContract test) : SinkConnector<long>
        {
            public override ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
            {
                test.Write(batch.Length > 1 ? batch.Span[..^1] : batch.Span);
                return default;
            }
        }
    }

    /// <summary>Once broken, acknowledges what it could not write.</summary>
    private sealed class AcknowledgesFailuresSinkContract : StoreSinkContract
    {
        private volatile bool _broken;

        protected override ValueTask<SinkConnector<long>> CreateSinkAsync(ContractContext context) => new(new Sink(this));

        protected override ValueTask<IAsyncDisposable?> BreakAsync(ContractContext context)
        {
            _broken = true;
            return new(new Repair(this));
        }

        private sealed class Repair(AcknowledgesFailuresSinkContract test) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                test._broken = false;
                return default;
            }
        }

        private sealed class Sink(AcknowledgesFailuresSinkContract test) : SinkConnector<long>
        {
            public override ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
            {
                if (!test._broken)
                {
                    test.Write(batch.Span);
                }

                return default;
            }
        }
    }

    /// <summary>Writes its access token into a header of every record.</summary>
    private sealed class TokenHeaderSinkContract : SinkContractTests<Record<ReadOnlyMemory<byte>>>
    {
        private readonly CollectionSink<Record<ReadOnlyMemory<byte>>> _store = new();

        protected override ValueTask<SinkConnector<Record<ReadOnlyMemory<byte>>>> CreateSinkAsync(ContractContext context) => new(new Sink(_store, context.Secret));

        protected override Record<ReadOnlyMemory<byte>> CreateRecord(long sequence, ContractContext context) => Support.IdRecords.Record(sequence);

        protected override ValueTask<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken) => new(_store.Records);

        protected override long GetSequence(Record<ReadOnlyMemory<byte>> record) => Support.IdRecords.Id(record.Value.Span);

        private sealed class Sink(CollectionSink<Record<ReadOnlyMemory<byte>>> store, string token) : SinkConnector<Record<ReadOnlyMemory<byte>>>
        {
            public override ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
            {
                var copies = new Record<ReadOnlyMemory<byte>>[batch.Length];
                for (var i = 0; i < batch.Length; i++)
                {
                    copies[i] = batch.Span[i] with { Value = batch.Span[i].Value.ToArray(), Headers = new RecordHeaders().Add("authorization", Encoding.UTF8.GetBytes("Bearer " + token)) };
                }

                return store.WriteAsync(copies, cancellationToken);
            }
        }
    }
}
