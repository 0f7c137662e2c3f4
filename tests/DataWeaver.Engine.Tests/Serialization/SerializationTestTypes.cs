using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataWeaver.Tests.Serialization;

public sealed record Address(string City, string Zip);

public sealed record Customer(string Name, Address Address);

public sealed record Order(string Id, decimal Total, Customer Customer);

public sealed record Unlisted(int X);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Order))]
public sealed partial class OrderJsonContext : JsonSerializerContext;

/// <summary>Builds multi-segment sequences, so decoders are tested on segmented input too.</summary>
public static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] data, int segmentLength)
    {
        if (data.Length <= segmentLength)
        {
            // Still two segments (one empty), so the multi-segment path runs.
            var only = new Segment(data);
            only.Append(Array.Empty<byte>());
            return new ReadOnlySequence<byte>(only, 0, (Segment)only.Next!, 0);
        }

        var first = new Segment(data.AsMemory(0, segmentLength));
        var last = first;
        for (var i = segmentLength; i < data.Length; i += segmentLength)
        {
            last = last.Append(data.AsMemory(i, Math.Min(segmentLength, data.Length - i)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
