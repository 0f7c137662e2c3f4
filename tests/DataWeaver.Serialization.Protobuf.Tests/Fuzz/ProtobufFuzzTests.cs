using System.Buffers;
using System.Diagnostics;
using DataWeaver.Serialization.Protobuf.Framing;
using DataWeaver.Serialization.Protobuf.Serializers;
using DataWeaver.Serialization.Protobuf.Tests.Messages;
using Google.Protobuf;
using Xunit.Abstractions;

namespace DataWeaver.Serialization.Protobuf.Tests.Fuzz;

/// <summary>
/// Seeded fuzzing: random bytes and mutated valid encodings through every reading path. Anything but a
/// successful read or a <see cref="DeserializationException"/> fails; the timeout catches hangs.
/// </summary>
public sealed class ProtobufFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 30_000;

    private static readonly ProtobufSerializerOptions SmallMax = new() { MaxRecordSize = 4096 };
    private static readonly ProtobufDeserializer<AllTypes> Limited = new(new ProtobufSerializerOptions { RecursionLimit = 4, MaxRecordSize = 4096 });
    private static readonly ProtobufDeserializer<AllTypes> Delimited = new(new ProtobufSerializerOptions { Framing = ProtobufFraming.LengthDelimited });
    private static readonly ProtobufDeserializer<AllTypes> Confluent = new(new ProtobufSerializerOptions { Framing = ProtobufFraming.Confluent });

    // No wall-clock bound here (the machines are 2-core and noisy): a decoder stuck in a loop is caught by the test
    // runner's hang timeout (eng/test.sh: --blame-hang-timeout 5m).
    [Fact]
    public async Task Deserialize_RandomAndMutatedInputs_OnlyDeserializationException()
    {
        var stats = await Task.Run(Run);

        output.WriteLine($"{stats.Cases} cases ({stats.Accepted} accepted, {stats.Rejected} rejected) in {stats.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(Cases * Targets.Length, stats.Cases);
        Assert.True(stats.Accepted > 1000, "the mutations should leave some inputs valid");
        Assert.True(stats.Rejected > 1000, "the mutations should break some inputs");
    }

    private static readonly Func<byte[], Random, object?>[] Targets =
    [
        static (data, _) => new ProtobufDeserializer<AllTypes>().Deserialize(data),
        static (data, random) => new ProtobufDeserializer<AllTypes>().Deserialize(RandomSegments(data, random)),
        static (data, random) => Limited.Deserialize(RandomSegments(data, random)),
        static (data, random) => Delimited.Deserialize(random.Next(2) == 0 ? new ReadOnlySequence<byte>(data) : RandomSegments(data, random)),
        static (data, random) => Confluent.Deserialize(random.Next(2) == 0 ? new ReadOnlySequence<byte>(data) : RandomSegments(data, random)),
        static (data, random) => ProtobufDelimited.ReadAll<AllTypes>(RandomSegments(data, random), SmallMax).Count(),
    ];

    private static (int Cases, int Accepted, int Rejected, TimeSpan Elapsed) Run()
    {
        var random = new Random(20261121);
        var seeds = Seeds();
        var watch = Stopwatch.StartNew();
        int cases = 0, accepted = 0, rejected = 0;
        for (var i = 0; i < Cases; i++)
        {
            var data = i % 4 == 0 ? RandomBytes(random) : Mutate(seeds[random.Next(seeds.Length)], random);
            foreach (var target in Targets)
            {
                cases++;
                try
                {
                    target(data, random);
                    accepted++;
                }
                catch (DeserializationException ex)
                {
                    Assert.Equal("protobuf", ex.Format);
                    if (ex.Offset < 0 || ex.Offset > data.Length)
                    {
                        Assert.Fail($"case {i} target {Array.IndexOf(Targets, target)}: offset {ex.Offset} outside the {data.Length}-byte input {Convert.ToHexString(data)}: {ex.Reason}");
                    }

                    rejected++;
                }
                catch (Exception ex)
                {
                    Assert.Fail($"case {i}: {ex.GetType().Name} for input {Convert.ToHexString(data)}: {ex}");
                }
            }
        }

        return (cases, accepted, rejected, watch.Elapsed);
    }

    private static byte[][] Seeds()
    {
        var seeds = new List<byte[]>();
        foreach (var row in Samples.Cases())
        {
            if (row[1] is AllTypes message && message.CalculateSize() < 2000)
            {
                seeds.Add(message.ToByteArray());
                var delimited = new ArrayBufferWriter<byte>();
                ProtobufDelimited.Write(message, delimited);
                ProtobufDelimited.Write(message, delimited);
                seeds.Add(delimited.WrittenSpan.ToArray());
                var confluent = new ArrayBufferWriter<byte>();
                ConfluentProtobufWireFormat.WriteHeader(confluent, 7, [1, 2]);
                message.WriteTo(confluent);
                seeds.Add(confluent.WrittenSpan.ToArray());
            }
        }

        var deep = new Nested();
        for (var i = 0; i < 8; i++)
        {
            deep = new Nested { Child = deep, Value = i };
        }

        seeds.Add(new AllTypes { Nested = deep, Children = { deep } }.ToByteArray());
        return [.. seeds];
    }

    private static byte[] RandomBytes(Random random)
    {
        var data = new byte[random.Next(0, 48)];
        random.NextBytes(data);
        return data;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = new List<byte>(seed);
        var mutations = random.Next(1, 5);
        for (var m = 0; m < mutations; m++)
        {
            var at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(8))
            {
                case 0 when data.Count > 0: data[at] ^= (byte)(1 << random.Next(8)); break;
                case 1 when data.Count > 0: data[at] = (byte)random.Next(256); break;
                case 2: data.Insert(at, (byte)random.Next(256)); break;
                case 3 when data.Count > 0: data.RemoveAt(at); break;
                case 4: data.RemoveRange(at, data.Count - at); break;
                case 5: data.InsertRange(at, Enumerable.Repeat((byte)0xFF, random.Next(1, 12))); break;
                case 6 when data.Count > 0: data[at] = (byte)(random.Next(2) == 0 ? 0x80 : 0x7F); break;
                case 7 when data.Count > 4:
                    var start = random.Next(data.Count - 4);
                    data.InsertRange(at, data.GetRange(start, random.Next(1, 5)));
                    break;
                default: break;
            }
        }

        return [.. data];
    }

    private static ReadOnlySequence<byte> RandomSegments(byte[] data, Random random) =>
        data.Length < 2 ? new ReadOnlySequence<byte>(data) : Samples.Segmented(data, random.Next(1, data.Length), random.Next(1, data.Length), random.Next(1, data.Length));
}
