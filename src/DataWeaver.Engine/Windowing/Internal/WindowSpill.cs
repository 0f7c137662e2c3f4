using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace DataWeaver.Windowing.Internal;

/// <summary>Folds one partial aggregate into another (the aggregator's Merge).</summary>
internal delegate void SpillMergeFunc<TAcc>(ref TAcc into, ref TAcc other);

/// <summary>The order of spill runs: the key's hash (stable within the process that wrote them), then the key (strings ordinal).</summary>
internal static class SpillOrder<TKey>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Hash(TKey key) => EqualityComparer<TKey>.Default.GetHashCode(key!);

    public static int Compare(int hashA, TKey a, int hashB, TKey b)
    {
        if (hashA != hashB)
        {
            return hashA < hashB ? -1 : 1;
        }

        return typeof(TKey) == typeof(string)
            ? string.CompareOrdinal(Unsafe.As<TKey, string>(ref a), Unsafe.As<TKey, string>(ref b))
            : Comparer<TKey>.Default.Compare(a, b);
    }
}

/// <summary>One spill run: a window's partial aggregates written at one spill, sorted by (hash, key).</summary>
internal sealed record WindowSpillRun(string Path, long Bytes);

/// <summary>
/// A window stage's spill files (<see cref="WindowOptions.SpillDirectory"/>), in a subdirectory of their own named after
/// the stage. A run file: <c>"DWWS"</c>, a version byte (1), a kind byte (2: spill run), the window's start (int64); then
/// frames, each an int32 length and that many bytes: the key's hash (int32), the key and the accumulator in the snapshot
/// layout 2 (<see cref="WindowStateCodec{TKey, TAcc}"/>); an int32 -1 ends the file. Sorted by (hash, key), so a window's runs merge in one streaming pass. The files are
/// not state: they live for one run, are deleted once the window's results are emitted, and leftovers of a previous
/// process are deleted when the stage starts. Their bytes are counted apart from the state budget, against
/// <see cref="WindowOptions.SpillMaxBytes"/>.
/// </summary>
internal sealed class WindowSpill<TKey, TAcc>
    where TKey : notnull
{
    public const string Extension = ".dwspill";
    private const int BufferSize = 1 << 16;
    private static readonly byte[] s_magic = "DWWS"u8.ToArray();

    private readonly string _stage;
    private readonly string _configured;
    private readonly long _maxBytes;
    private readonly WindowStateCodec<TKey, TAcc> _codec;
    private readonly ArrayBufferWriter<byte> _frame = new(256);
    private readonly StateWriter _writer;
    private readonly List<WindowSpillRun> _live = [];
    private int _next;

    public WindowSpill(string stage, string directory, long maxBytes, WindowStateCodec<TKey, TAcc> codec)
    {
        _stage = stage;
        _configured = directory;
        _maxBytes = maxBytes;
        _codec = codec;
        _writer = new StateWriter(_frame);
        Directory = Path.Combine(directory, FolderOf(stage));
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var leftover in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            File.Delete(leftover); // a previous process's: its records were never committed and are read again
        }
    }

    /// <summary>Gets the stage's own spill directory.</summary>
    public string Directory { get; }

    /// <summary>Gets the bytes the stage's spill files take now.</summary>
    public long Bytes { get; private set; }

    /// <summary>The subdirectory of a stage: its name's letters and digits, and a hash of the whole name.</summary>
    public static string FolderOf(string stage)
    {
        var safe = new StringBuilder(stage.Length);
        foreach (var c in stage)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        var hash = HyperLogLogSketch.Hash(stage.AsSpan());
        return $"{(safe.Length > 64 ? safe.ToString(0, 64) : safe)}-{hash:x16}";
    }

    /// <summary>Writes a window's in-memory aggregates as one run, sorted by (hash, key). Past the disk bound: every file deleted, then <see cref="WindowSpillFullException"/>.</summary>
    public WindowSpillRun Write(long windowStart, Dictionary<TKey, TAcc> entries)
    {
        var order = Sorted(entries);
        var path = Path.Combine(Directory, $"w{windowStart}-{_next++}{Extension}");
        long written = 0;
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize);
            Span<byte> header = stackalloc byte[14];
            s_magic.CopyTo(header);
            header[4] = 1;
            header[5] = 2;
            BinaryPrimitives.WriteInt64LittleEndian(header[6..], windowStart);
            file.Write(header);
            written = header.Length + 4;
            Span<byte> length = stackalloc byte[4];
            foreach (var (hash, key) in order)
            {
                _frame.ResetWrittenCount();
                _writer.WriteInt32(hash);
                _codec.Write(_writer, key, ref CollectionsMarshal.GetValueRefOrNullRef(entries, key));
                written += 4 + _frame.WrittenCount;
                if (Bytes + written > _maxBytes)
                {
                    throw new WindowSpillFullException(_stage, _configured, _maxBytes, Bytes + written);
                }

                BinaryPrimitives.WriteInt32LittleEndian(length, _frame.WrittenCount);
                file.Write(length);
                file.Write(_frame.WrittenSpan);
            }

            BinaryPrimitives.WriteInt32LittleEndian(length, -1);
            file.Write(length);
        }
        catch (WindowSpillFullException)
        {
            File.Delete(path);
            DeleteAll();
            throw;
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        var run = new WindowSpillRun(path, written);
        _live.Add(run);
        Bytes += written;
        return run;
    }

    /// <summary>Opens a streaming merge of a window's runs (oldest first) and its in-memory aggregates (last).</summary>
    public WindowSpillMerge<TKey, TAcc> Merge(List<WindowSpillRun> runs, Dictionary<TKey, TAcc> memory, SpillMergeFunc<TAcc> merge) =>
        new(runs, memory, Sorted(memory), _codec, merge);

    /// <summary>Deletes a window's runs (its results were emitted).</summary>
    public void Delete(List<WindowSpillRun> runs)
    {
        foreach (var run in runs)
        {
            File.Delete(run.Path);
            if (_live.Remove(run))
            {
                Bytes -= run.Bytes;
            }
        }

        runs.Clear();
    }

    /// <summary>Deletes every run of the stage (a stop, an abort, the disk bound).</summary>
    public void DeleteAll()
    {
        foreach (var run in _live)
        {
            File.Delete(run.Path);
        }

        _live.Clear();
        Bytes = 0;
    }

    private static (int Hash, TKey Key)[] Sorted(Dictionary<TKey, TAcc> entries)
    {
        var order = new (int Hash, TKey Key)[entries.Count];
        var i = 0;
        foreach (var key in entries.Keys)
        {
            order[i++] = (SpillOrder<TKey>.Hash(key), key);
        }

        Array.Sort(order, static (a, b) => SpillOrder<TKey>.Compare(a.Hash, a.Key, b.Hash, b.Key));
        return order;
    }
}

/// <summary>
/// A k-way merge of a window's spill runs and its in-memory aggregates, in (hash, key) order: each key once, its partial
/// aggregates folded together oldest first. Holds one read buffer and one entry per run.
/// </summary>
internal sealed class WindowSpillMerge<TKey, TAcc> : IDisposable
    where TKey : notnull
{
    private readonly Source[] _sources;
    private readonly PriorityQueue<Source, Source> _queue;
    private readonly SpillMergeFunc<TAcc> _merge;

    public WindowSpillMerge(List<WindowSpillRun> runs, Dictionary<TKey, TAcc> memory, (int Hash, TKey Key)[] memoryOrder, WindowStateCodec<TKey, TAcc> codec, SpillMergeFunc<TAcc> merge)
    {
        _merge = merge;
        _sources = new Source[runs.Count + 1];
        _queue = new PriorityQueue<Source, Source>(_sources.Length, Source.Order);
        try
        {
            for (var i = 0; i < runs.Count; i++)
            {
                _sources[i] = new RunSource(i, runs[i].Path, codec);
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        _sources[^1] = new MemorySource(runs.Count, memory, memoryOrder);
        foreach (var source in _sources)
        {
            if (source.MoveNext())
            {
                _queue.Enqueue(source, source);
            }
        }
    }

    /// <summary>The next key and its combined aggregate; <see langword="false"/> at the end.</summary>
    public bool TryNext(out TKey key, out TAcc accumulator)
    {
        if (!_queue.TryDequeue(out var first, out _))
        {
            key = default!;
            accumulator = default!;
            return false;
        }

        var hash = first.Hash;
        key = first.Key;
        accumulator = first.Accumulator;
        Advance(first);
        while (_queue.TryPeek(out var next, out _) && next.Hash == hash && SpillOrder<TKey>.Compare(hash, key, next.Hash, next.Key) == 0)
        {
            _queue.Dequeue();
            _merge(ref accumulator, ref next.Accumulator);
            Advance(next);
        }

        return true;
    }

    public void Dispose()
    {
        foreach (var source in _sources)
        {
            (source as RunSource)?.Dispose();
        }
    }

    private void Advance(Source source)
    {
        if (source.MoveNext())
        {
            _queue.Enqueue(source, source);
        }
        else
        {
            (source as RunSource)?.Dispose();
        }
    }

    private abstract class Source(int index)
    {
        public static readonly IComparer<Source> Order = Comparer<Source>.Create(static (a, b) =>
        {
            var c = SpillOrder<TKey>.Compare(a.Hash, a.Key, b.Hash, b.Key);
            return c != 0 ? c : a.Index.CompareTo(b.Index); // equal keys: the older partial first
        });

        public TAcc Accumulator = default!;

        public int Index { get; } = index;

        public int Hash { get; protected set; }

        public TKey Key { get; protected set; } = default!;

        public abstract bool MoveNext();
    }

    private sealed class MemorySource(int index, Dictionary<TKey, TAcc> memory, (int Hash, TKey Key)[] order) : Source(index)
    {
        private int _next;

        public override bool MoveNext()
        {
            if (_next == order.Length)
            {
                return false;
            }

            (Hash, Key) = order[_next++];
            Accumulator = memory[Key];
            return true;
        }
    }

    private sealed class RunSource : Source, IDisposable
    {
        private readonly FileStream _file;
        private readonly WindowStateCodec<TKey, TAcc> _codec;
        private byte[] _buffer = new byte[256];

        public RunSource(int index, string path, WindowStateCodec<TKey, TAcc> codec)
            : base(index)
        {
            _codec = codec;
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            Span<byte> header = stackalloc byte[14];
            _file.ReadExactly(header);
            if (!header[..4].SequenceEqual("DWWS"u8) || header[4] != 1 || header[5] != 2)
            {
                throw new FormatException($"'{Path.GetFileName(path)}' is not a window spill run");
            }
        }

        public override bool MoveNext()
        {
            Span<byte> length = stackalloc byte[4];
            _file.ReadExactly(length);
            var size = BinaryPrimitives.ReadInt32LittleEndian(length);
            if (size < 0)
            {
                return false;
            }

            if (size > _buffer.Length)
            {
                _buffer = new byte[Math.Max(size, _buffer.Length * 2)];
            }

            _file.ReadExactly(_buffer, 0, size);
            var reader = new StateReader(_buffer.AsSpan(0, size));
            Hash = reader.ReadInt32();
            Key = WindowStateCodec<TKey, TAcc>.ReadKey(ref reader);
            Accumulator = _codec.ReadAccumulator(ref reader);
            return true;
        }

        public void Dispose() => _file.Dispose();
    }
}
