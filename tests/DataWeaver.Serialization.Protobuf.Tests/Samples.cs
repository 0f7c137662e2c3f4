using System.Buffers;
using DataWeaver.Serialization.Protobuf.Tests.Messages;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DataWeaver.Serialization.Protobuf.Tests;

/// <summary>Messages and buffer helpers shared by the tests.</summary>
internal static class Samples
{
    public static AllTypes Full()
    {
        var message = new AllTypes
        {
            FDouble = -1.5e300,
            FFloat = 3.25f,
            FInt32 = -42,
            FInt64 = long.MinValue,
            FUint32 = uint.MaxValue,
            FUint64 = ulong.MaxValue,
            FSint32 = int.MinValue,
            FSint64 = -1234567890123,
            FFixed32 = 0xDEADBEEF,
            FFixed64 = 0x0123456789ABCDEF,
            FSfixed32 = -7,
            FSfixed64 = -8,
            FBool = true,
            FString = "héllo, 世界 \U0001F600",
            FBytes = ByteString.CopyFrom(0, 1, 2, 0xFF, 0x80),
            Color = Color.Green,
            Nested = new Nested { Name = "n", Value = 5, Child = new Nested { Name = "deeper" } },
            NestedChoice = new Nested { Value = -1 },
            Created = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 2, 29, 12, 34, 56, TimeSpan.Zero).AddTicks(1234567)),
            Ttl = Duration.FromTimeSpan(TimeSpan.FromSeconds(-90.5)),
            Maybe = 0,
        };
        message.PackedInts.Add([0, 1, -1, int.MaxValue, int.MinValue, 300]);
        message.PackedDoubles.Add([0.0, -0.0, double.NaN, double.PositiveInfinity, 1e-300]);
        message.UnpackedSints.Add([0, -1, long.MaxValue, long.MinValue]);
        message.Tags.Add(["a", string.Empty, new string('x', 300)]);
        message.Children.Add([new Nested(), new Nested { Name = "c2", Value = 2 }]);
        message.Colors.Add([Color.Red, Color.Unspecified, (Color)99]);
        message.Counters.Add("one", 1);
        message.Counters.Add(string.Empty, -1);
        message.ById.Add(7, new Nested { Name = "seven" });
        message.ById.Add(-3, new Nested());
        return message;
    }

    /// <summary>Messages covering each feature on its own, plus the empty message.</summary>
    public static IEnumerable<object[]> Cases()
    {
        yield return ["empty", new AllTypes()];
        yield return ["full", Full()];
        yield return ["scalars", new AllTypes { FInt32 = 1, FInt64 = -1, FUint64 = 1UL << 63, FSint32 = -1, FFloat = float.Epsilon, FBool = true }];
        yield return ["oneof text", new AllTypes { Text = "t" }];
        yield return ["oneof number", new AllTypes { Number = 0 }];
        yield return ["optional zero", new AllTypes { Maybe = 0 }];
        yield return ["enum unknown value", new AllTypes { Color = (Color)(-5) }];
        yield return ["bytes", new AllTypes { FBytes = ByteString.CopyFrom(new byte[70_000]) }];
        yield return ["well-known", new AllTypes { Created = new Timestamp { Seconds = -62135596800, Nanos = 999_999_999 }, Ttl = new Duration { Seconds = 315576000000 } }];
        yield return ["timestamp", new Timestamp { Seconds = 1_700_000_000, Nanos = 5 }];
        yield return ["duration", new Duration { Seconds = -3, Nanos = -500 }];
        yield return ["envelope third", new Envelope.Types.Third { C = "c" }];
    }

    /// <summary>Splits <paramref name="data"/> into a multi-segment sequence, cutting before each of <paramref name="cuts"/>.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] data, params int[] cuts)
    {
        var bounds = cuts.Where(c => c > 0 && c < data.Length).Distinct().Order().Append(data.Length).ToArray();
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var end in bounds)
        {
            var segment = new Segment(data.AsMemory(start, end - start));
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.Append(segment);
            }

            last = segment;
            start = end;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> ByteByByte(byte[] data) => Segmented(data, Enumerable.Range(1, Math.Max(0, data.Length - 1)).ToArray());

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public void Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
        }
    }
}

/// <summary>A buffer writer that hands out spans of at most <c>chunk</c> bytes, to prove nothing assumes one big span.</summary>
internal sealed class ChunkedBufferWriter(int chunk) : IBufferWriter<byte>
{
    private readonly List<byte> _written = [];
    private byte[] _current = [];

    public byte[] Written => [.. _written];

    public void Advance(int count) => _written.AddRange(_current.AsSpan(0, count));

    public Memory<byte> GetMemory(int sizeHint = 0) => _current = new byte[Math.Max(sizeHint, chunk)];

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}

/// <summary>A stream that returns at most <c>chunk</c> bytes per read.</summary>
internal sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data, writable: false)
{
    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

    public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
}
