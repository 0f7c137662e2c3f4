using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Perf.Workloads.W3Ndjson;

/// <summary>
/// A source over <see cref="NdjsonInput"/>'s segments: each record is one line's bytes (no copy). Its reader fills
/// batches with <c>SourceBuffer.Add</c>, the fast path of docs/connectors.md; positions are line numbers.
/// </summary>
internal sealed class NdjsonSegmentSource(NdjsonInput input) : SourceConnector<ReadOnlyMemory<byte>>("ndjson-segments")
{
    public override async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var line in input.Lines())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return line;
        }

        await Task.CompletedTask;
    }

    public override SourceReader<ReadOnlyMemory<byte>> CreateReader() => new Reader(input);

    private sealed class Reader(NdjsonInput input) : SourceReader<ReadOnlyMemory<byte>>
    {
        private NdjsonInput.LineCursor _lines = input.Lines();
        private long _read;

        public override ValueTask<bool> FillAsync(SourceBuffer<ReadOnlyMemory<byte>> buffer, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return new ValueTask<bool>(false);
            }

            while (!buffer.IsFull)
            {
                if (!_lines.MoveNext())
                {
                    return new ValueTask<bool>(false);
                }

                var line = _lines.Current;
                buffer.Add(line, new SourcePosition(0, ++_read), line.Length);
            }

            return new ValueTask<bool>(true);
        }
    }
}
