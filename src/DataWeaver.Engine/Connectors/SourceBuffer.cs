using DataWeaver.Buffers;
using DataWeaver.Internal;
using DataWeaver.Records;

namespace DataWeaver.Connectors;

/// <summary>
/// Where a <see cref="SourceReader{T}"/> puts the records it reads. The engine cuts them into batches,
/// one partition per batch, and tracks their positions for acknowledgement.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class SourceBuffer<T>
{
    private readonly List<Part> _sealed = [];
    private readonly int _batchSize;
    private Batch<T>? _current;
    private int _currentPartition;
    private long _currentResume;
    private long _firstResume = -1;
    private PayloadBuffer? _lastPayload;
    private int _limit;
    private List<Rejected>? _rejects;

    internal SourceBuffer(int batchSize)
    {
        _batchSize = batchSize;
    }

    /// <summary>Gets how many records were added since the engine asked for this fill.</summary>
    public int Count { get; private set; }

    /// <summary>Gets how many more records fit in this fill.</summary>
    public int Remaining => _limit - Count;

    /// <summary>Gets a value indicating whether this fill holds as many records as it may.</summary>
    public bool IsFull => Count >= _limit;

    /// <summary>Gets the payload bytes added in this fill.</summary>
    public long Bytes { get; private set; }

    internal List<Part> SealedParts => _sealed;

    /// <summary>
    /// Adds a record. Records of one partition MUST be added in their source order.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="resumePosition">
    /// The position from which the source resumes once this record and every earlier record of its partition
    /// are acknowledged: for a Kafka record at offset 41 that is offset 42; for a line of a file, the byte
    /// offset just past the line.
    /// </param>
    /// <param name="bytes">The record's payload size, counted against byte capacities; 0 when unknown.</param>
    /// <param name="payload">
    /// The pooled buffer the record's bytes live in, if any: the batch takes a reference of its own and
    /// releases it once the record is acknowledged. The caller keeps its own reference.
    /// </param>
    public void Add(T record, SourcePosition resumePosition, int bytes = 0, PayloadBuffer? payload = null)
    {
        if (Count >= _limit)
        {
            ThrowHelper.ThrowInvalidOperation("The source buffer is full; return from FillAsync.");
        }

        var batch = _current;
        if (batch is null || resumePosition.Partition != _currentPartition)
        {
            batch = StartBatch(resumePosition.Partition);
        }

        if (payload is not null && !ReferenceEquals(payload, _lastPayload))
        {
            batch.Share(payload);
            _lastPayload = payload;
        }

        batch.Add(record);
        batch.Bytes += bytes;
        _currentResume = resumePosition.Offset;
        if (_firstResume < 0)
        {
            _firstResume = resumePosition.Offset;
        }

        Count++;
        Bytes += bytes;
    }

    /// <summary>
    /// Adds records of one partition whose resume offsets are consecutive: record <c>i</c> of
    /// <paramref name="records"/> resumes at <c>firstResumePosition.Offset + i</c> (an in-memory list, a
    /// generator). One bulk copy instead of a call per record. At most <see cref="Remaining"/> records.
    /// </summary>
    /// <param name="records">The records, in source order.</param>
    /// <param name="firstResumePosition">The resume position of the first record.</param>
    /// <param name="bytes">The payload size of all the records together; 0 when unknown.</param>
    public void AddRange(ReadOnlySpan<T> records, SourcePosition firstResumePosition, long bytes = 0)
    {
        if (records.Length > Remaining)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(records), records.Length, $"At most {Remaining} more records fit in this fill.");
        }

        if (records.IsEmpty)
        {
            return;
        }

        var batch = _current;
        if (batch is null || firstResumePosition.Partition != _currentPartition)
        {
            batch = StartBatch(firstResumePosition.Partition);
        }

        batch.EnsureCapacity(batch.Count + records.Length);
        records.CopyTo(batch.Items.AsSpan(batch.Count));
        batch.Count += records.Length;
        batch.Bytes += bytes;
        _currentResume = firstResumePosition.Offset + records.Length - 1;
        if (_firstResume < 0)
        {
            _firstResume = firstResumePosition.Offset;
        }

        Count += records.Length;
        Bytes += bytes;
    }

    /// <summary>
    /// Reports a record the source could not read (oversized, undecodable) instead of throwing, so the
    /// pipeline's source error policy decides: dead-letter it with <paramref name="raw"/> bytes, skip it, or fail
    /// (the default, with <paramref name="error"/>). Its position counts as read: once the policy handled it,
    /// reading may resume after it. Does not count against <see cref="Remaining"/>.
    /// </summary>
    /// <param name="error">Why the record is bad; a <see cref="Errors.DataWeaverException"/> with <see cref="Errors.ErrorClass.Data"/> in general.</param>
    /// <param name="position">Where the bad record starts.</param>
    /// <param name="resumePosition">Where reading resumes after it.</param>
    /// <param name="raw">The bytes to keep with a dead letter (a prefix of an oversized record); copied.</param>
    public void Reject(Exception error, SourcePosition position, SourcePosition resumePosition, ReadOnlySpan<byte> raw = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (_current is null || resumePosition.Partition != _currentPartition)
        {
            StartBatch(resumePosition.Partition);
        }

        (_rejects ??= []).Add(new Rejected(error, position, raw.ToArray()));
        _currentResume = resumePosition.Offset;
        if (_firstResume < 0)
        {
            _firstResume = resumePosition.Offset;
        }

    }

    internal void Begin(int limit)
    {
        _limit = Math.Min(limit, _batchSize);
        Count = 0;
        Bytes = 0;
        _sealed.Clear();
    }

    /// <summary>Adds a batch another buffer sealed (a merged source's reader); counts its records and bytes.</summary>
    internal void AddSealed(Part part)
    {
        _sealed.Add(part);
        Count += part.Batch.Count;
        Bytes += part.Batch.Bytes;
    }

    /// <summary>Closes the fill: every non-empty batch is in <see cref="SealedParts"/>.</summary>
    internal void Seal()
    {
        if (_current is not null)
        {
            _sealed.Add(new Part(_current, _currentPartition, _currentResume, _rejects, _firstResume));
            _firstResume = -1;
            _rejects = null;
            _current = null;
            _lastPayload = null;
        }
    }

    private Batch<T> StartBatch(int partition)
    {
        Seal();
        _current = Batch<T>.Rent(Math.Min(_batchSize, Math.Max(Remaining, 1)));
        _currentPartition = partition;
        return _current;
    }

    /// <summary>A sealed batch: its partition, the resume offset after its last record and after its first (-1 when unknown).</summary>
    internal readonly record struct Part(Batch<T> Batch, int Partition, long ResumeOffset, List<Rejected>? Rejects, long FirstResumeOffset = -1);

    internal readonly record struct Rejected(Exception Error, SourcePosition Position, byte[] Raw);
}
