using System.Buffers;
using System.Globalization;
using System.Text;

namespace DataWeaver.Perf.Workloads.W3Ndjson;

/// <summary>
/// W3/W4's input: NDJSON order records of about 95 bytes, e.g.
/// <c>{"id":1000042,"user":"user-00042","amount":1234.56,"qty":7,"country":"FR","ts":1732190000123}</c>, held in 1 MiB
/// segments rented from <see cref="ArrayPool{T}.Shared"/> and built before timing. A line never straddles two segments.
/// </summary>
internal sealed class NdjsonInput : IDisposable
{
    private const int SegmentSize = 1 << 20;
    private static readonly string[] Countries = ["FR", "DE", "NL", "IT", "ES", "PL", "SE", "US"];
    private readonly List<byte[]> _segments = [];
    private readonly List<int> _lengths = [];

    public NdjsonInput(long records)
    {
        Records = records;
        var random = new Random(42);
        var line = new StringBuilder(128);
        var segment = ArrayPool<byte>.Shared.Rent(SegmentSize);
        var used = 0;
        for (long i = 0; i < records; i++)
        {
            line.Clear();
            line.Append(CultureInfo.InvariantCulture, $"{{\"id\":{1_000_000 + i},\"user\":\"user-{random.Next(100_000):D5}\",\"amount\":{random.Next(100, 1_000_000) / 100.0},\"qty\":{random.Next(1, 9)},\"country\":\"{Countries[random.Next(Countries.Length)]}\",\"ts\":{1_732_190_000_000 + (i * 7)}}}\n");
            var length = Encoding.UTF8.GetByteCount(line.ToString());
            if (used + length > segment.Length)
            {
                Seal(segment, used);
                segment = ArrayPool<byte>.Shared.Rent(SegmentSize);
                used = 0;
            }

            used += Encoding.UTF8.GetBytes(line.ToString(), segment.AsSpan(used));
        }

        Seal(segment, used);
    }

    /// <summary>Gets the number of records (lines).</summary>
    public long Records { get; }

    /// <summary>Gets the number of JSON bytes, line ends included.</summary>
    public long Bytes { get; private set; }

    /// <summary>Gets the segments, each with the bytes it holds.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Segments => _segments.Select((segment, i) => new ReadOnlyMemory<byte>(segment, 0, _lengths[i]));

    /// <summary>Cuts the lines (without their line end) out of the segments, in order, without copying.</summary>
    public LineCursor Lines() => new(this);

    public void Dispose()
    {
        foreach (var segment in _segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        _segments.Clear();
    }

    internal byte[] Segment(int index, out int length)
    {
        length = _lengths[index];
        return _segments[index];
    }

    internal int SegmentCount => _segments.Count;

    private void Seal(byte[] segment, int used)
    {
        _segments.Add(segment);
        _lengths.Add(used);
        Bytes += used;
    }

    /// <summary>A cursor over the lines; usable in <c>foreach</c>, also in async methods.</summary>
    internal struct LineCursor(NdjsonInput input)
    {
        private int _segment;
        private int _offset;
        private byte[]? _bytes;
        private int _length;

        public ReadOnlyMemory<byte> Current { get; private set; }

        public readonly LineCursor GetEnumerator() => this;

        public bool MoveNext()
        {
            while (true)
            {
                if (_bytes is null)
                {
                    if (_segment >= input.SegmentCount)
                    {
                        return false;
                    }

                    _bytes = input.Segment(_segment, out _length);
                    _offset = 0;
                }

                var end = _bytes.AsSpan(_offset, _length - _offset).IndexOf((byte)'\n');
                if (end >= 0)
                {
                    Current = new ReadOnlyMemory<byte>(_bytes, _offset, end);
                    _offset += end + 1;
                    return true;
                }

                _bytes = null;
                _segment++;
            }
        }
    }
}
