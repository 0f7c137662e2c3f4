using System.Buffers;
using DataWeaver.Checkpoints;
using DataWeaver.Records;

namespace DataWeaver.Windowing.Internal;

/// <summary>One snapshot of a window stage's state: the positions its records reach, and the stage's own bytes.</summary>
/// <param name="Positions">Per partition, the resume offset after the last record folded into the state; sorted by partition.</param>
/// <param name="Payload">The stage's state (watermark, arrival sequence, windows and aggregates).</param>
/// <param name="Layout">The layout of the payload's accumulators (<see cref="WindowStateCodec{TKey, TAcc}.Layout"/>; 1 in files of version 1).</param>
internal sealed record WindowSnapshot(SourcePosition[] Positions, byte[] Payload, byte Layout = 2);

/// <summary>
/// Keeps a window stage's snapshots until a commit covers one, and saves them in the source's checkpoint store.
/// </summary>
/// <remarks>
/// The state file (<see cref="ICheckpointStore.SaveStateAsync"/> under <see cref="StateKey"/>) holds up to two slots:
/// the snapshot of the last commit and the one about to be committed. It is saved, durably, before the source commits
/// the new positions, so a crash between the two leaves the source at the old positions with the old slot still in the
/// file; on start the slot whose positions equal the source's checkpoint is restored. Layout, version 2, little-endian:
/// <c>"DWWS"</c>, a version byte (2), a slot count byte (1 or 2), then per slot: an int32 position count, per position an
/// int32 partition and an int64 offset, the payload's accumulator layout byte (version 2 only; 1 in version 1 files, which
/// are still read), an int32 payload length and the payload. The payload: the int64 watermark
/// (UTC ticks), the int64 arrival sequence, an int32 window count, per window its int64 start, a fired byte, an int32 key
/// count and per key the key (a string as an int32 UTF-8 length and its bytes; long and int as such) and the accumulator
/// (count, sum, min, max, first and last with their ticks and sequences, the distinct values and the collected values,
/// each list an int32 count or -1 for none).
/// </remarks>
internal sealed class WindowStateCheckpoint(ICheckpointStore store, string sourceKey, string stage) : IStateParticipant
{
    /// <summary>Most snapshots waiting for a commit; past it a new snapshot replaces the newest (the older stay committable).</summary>
    public const int MaxPending = 4;

    private static ReadOnlySpan<byte> Magic => "DWWS"u8;

    private const byte Version = 2;

    private readonly Lock _lock = new();
    private readonly List<WindowSnapshot> _pending = [];
    private WindowSnapshot? _committed;
    private WindowSnapshot? _saving;

    /// <summary>Gets the key of the state in the store.</summary>
    public string StateKey { get; } = sourceKey + ".state." + stage;

    /// <summary>Gets how many snapshots wait for a commit.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Adds a snapshot taken at a batch boundary (positions never go back).</summary>
    public void Add(WindowSnapshot snapshot)
    {
        lock (_lock)
        {
            if (_pending.Count == MaxPending)
            {
                _pending[^1] = snapshot;
            }
            else
            {
                _pending.Add(snapshot);
            }
        }
    }

    /// <summary>
    /// Loads the state that belongs to where the source resumed; <see langword="null"/> when the run starts empty. The
    /// file's last slot may not have been committed (a crash between the state's save and the source's commit): the
    /// source then resumed before it. Which one it resumed from tells the first record read: its resume offset is at
    /// most the newer slot's offset exactly when the source resumed from the older (records are contiguous).
    /// </summary>
    /// <param name="runFirstResume">Per partition, the resume offset after the first record this run read; -1 when unknown.</param>
    /// <param name="cancellationToken">Aborts the load.</param>
    /// <exception cref="CheckpointException">The state cannot be read, or does not belong to where the source resumed.</exception>
    public async ValueTask<WindowSnapshot?> LoadAsync(Func<int, long> runFirstResume, CancellationToken cancellationToken)
    {
        var bytes = await store.LoadStateAsync(StateKey, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        var slots = Parse(bytes);
        var before = slots.Count == 2 ? slots[0] : null;
        var newest = slots[^1];
        if (before is not null && before.Positions.AsSpan().SequenceEqual(newest.Positions))
        {
            _committed = newest; // the same records: the same state
            return newest;
        }

        foreach (var position in newest.Positions)
        {
            var older = before is null ? -1 : Offset(before, position.Partition);
            var first = runFirstResume(position.Partition);
            if (older == position.Offset || first < 0)
            {
                continue; // the same in both slots, or not read yet: tells nothing
            }

            if (first > position.Offset)
            {
                _committed = newest;
                return newest;
            }

            if (first <= older)
            {
                break; // the source resumed behind the state
            }

            _committed = before;
            return before;
        }

        throw new CheckpointException(
            StateKey,
            $"The state of stage '{stage}' (checkpoint key '{StateKey}') does not belong to where the source resumed: the source's checkpoint was changed or restored without its state, or the first partition read tells nothing. Restore both, or delete the state to recompute (windows open at the checkpoint then count only the records read again).");
    }

    private static long Offset(WindowSnapshot slot, int partition)
    {
        foreach (var position in slot.Positions)
        {
            if (position.Partition == partition)
            {
                return position.Offset;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SourcePosition>?> SaveCoveredAsync(IReadOnlyList<SourcePosition> acknowledged, CancellationToken cancellationToken)
    {
        WindowSnapshot? covered = null;
        lock (_lock)
        {
            var last = -1;
            for (var i = 0; i < _pending.Count; i++)
            {
                if (Covers(acknowledged, _pending[i].Positions))
                {
                    last = i;
                }
            }

            if (last >= 0)
            {
                covered = _pending[last];
                _pending.RemoveRange(0, last + 1);
            }
        }

        if (covered is null || (_committed is not null && covered.Positions.AsSpan().SequenceEqual(_committed.Positions)))
        {
            return null; // nothing new to commit
        }

        var buffer = new ArrayBufferWriter<byte>(covered.Payload.Length + (_committed?.Payload.Length ?? 0) + 64);
        var writer = new StateWriter(buffer);
        writer.WriteBytes(Magic);
        writer.WriteByte(Version);
        writer.WriteByte(_committed is null ? (byte)1 : (byte)2);
        if (_committed is not null)
        {
            WriteSlot(writer, _committed);
        }

        WriteSlot(writer, covered);
        await store.SaveStateAsync(StateKey, buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _saving = covered;
        return covered.Positions;
    }

    /// <inheritdoc />
    public void Committed(IReadOnlyList<SourcePosition> positions) => _committed = _saving ?? _committed;

    private static bool Covers(IReadOnlyList<SourcePosition> acknowledged, SourcePosition[] positions)
    {
        foreach (var position in positions)
        {
            var found = false;
            foreach (var a in acknowledged)
            {
                if (a.Partition == position.Partition)
                {
                    found = a.Offset >= position.Offset;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteSlot(StateWriter writer, WindowSnapshot slot)
    {
        writer.WriteInt32(slot.Positions.Length);
        foreach (var position in slot.Positions)
        {
            writer.WriteInt32(position.Partition);
            writer.WriteInt64(position.Offset);
        }

        writer.WriteByte(slot.Layout);
        writer.WriteInt32(slot.Payload.Length);
        writer.WriteBytes(slot.Payload);
    }

    private List<WindowSnapshot> Parse(byte[] bytes)
    {
        try
        {
            var reader = new StateReader(bytes);
            if (!reader.ReadBytes(4).SequenceEqual(Magic))
            {
                throw new FormatException("it does not start with \"DWWS\"");
            }

            var version = reader.ReadByte();
            if (version is not (1 or Version))
            {
                throw new FormatException($"its version is {version}, this engine reads 1 and {Version}");
            }

            var count = reader.ReadByte();
            List<WindowSnapshot> slots = [];
            for (var s = 0; s < count; s++)
            {
                var positions = new SourcePosition[reader.ReadCount()];
                for (var i = 0; i < positions.Length; i++)
                {
                    positions[i] = new SourcePosition(reader.ReadInt32(), reader.ReadInt64());
                }

                var layout = version == 1 ? (byte)1 : reader.ReadByte();
                if (layout is < 1 or > 2)
                {
                    throw new FormatException($"a slot's layout is {layout}");
                }

                slots.Add(new WindowSnapshot(positions, reader.ReadBytes(reader.ReadCount()).ToArray(), layout));
            }

            if (!reader.AtEnd || count is < 1 or > 2)
            {
                throw new FormatException("its length does not match its slots");
            }

            return slots;
        }
        catch (FormatException exception)
        {
            throw new CheckpointException(StateKey, $"The state of stage '{stage}' (checkpoint key '{StateKey}') is corrupt: {exception.Message}. Restore it, or delete it together with the source's checkpoint.", exception);
        }
    }
}
