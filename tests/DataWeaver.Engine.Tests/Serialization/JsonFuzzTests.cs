using System.Text;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Serialization;

/// <summary>
/// Seeded fuzzing of every JSON decoder: random bytes and mutations of valid records. Each case must decode or raise a
/// <see cref="DeserializationException"/>; anything else (another exception, a crash, a hang) fails the test.
/// </summary>
public sealed class JsonFuzzTests
{
    private const int Cases = 100_000;

    private static readonly byte[][] Seeds =
    [
        .. new[]
        {
            """{"id":"o-1","total":12.5,"customer":{"name":"Ada","address":{"city":"Paris","zip":"75001"}}}""",
            """{"id":"o\u00e9\"2","total":-1e3,"customer":{"name":"","address":{"city":"Zo\u00eb","zip":"\ud83d\ude00"}},"x":[1,[2,{"y":null}]]}""",
            """{ "a" : [ true , false , null ] , "b" : { } , "c" : "\t\n" , "d" : 0.000001 }""",
            "{\n  \"id\": \"1\",\n  \"total\": 3\n}",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    private static readonly byte[] Alphabet = "{}[]\":,.-+eE0123456789 \t\r\ntruefalsnul\\u/abc"u8.ToArray();

    [Fact]
    public void Decoders_RandomAndMutatedInput_OnlyDeserializationException()
    {
        var random = new Random(20240611);
        var typed = new JsonRecordDeserializer<Order>(OrderJsonContext.Default.Order, maxRecordBytes: 512);
        var reflection = new JsonRecordDeserializer<Order>(maxRecordBytes: 512);
        var codec = new JsonRecordCodec(new JsonRecordOptions { MaxRecordBytes = 512, MaxDepth = 16 });
        var transform = JsonRecordTransform.CreateBuilder().Set("customer.tier", "gold").Rename("id", "orderId").Drop("total").Build();
        var decoded = 0;
        var rejected = 0;

        for (var i = 0; i < Cases; i++)
        {
            var data = Next(random, i);
            var outcome = 0;
            outcome += Run(() => typed.Deserialize(data), data, i);
            outcome += Run(() => reflection.Deserialize(Segments.Split(data, 1 + (i % 7))), data, i);
            outcome += Run(
                () =>
                {
                    var record = codec.Deserialize(data);
                    record.TryGetString("customer.address.city", out string? _);
                    record.TryGetDecimal("total", out _);
                    var changed = JsonRecord.Parse(transform.Apply(record).Utf8, new JsonRecordOptions { MaxDepth = 18 });
                    Assert.False(changed.TryGetField("total", out _));
                    Assert.False(changed.TryGetField("id", out _));
                },
                data,
                i);
            outcome += Run(() => JsonRecord.Parse(data, new JsonRecordOptions { MaxRecordBytes = 512 }), data, i);
            decoded += outcome;
            rejected += 4 - outcome;
        }

        // Both paths were exercised a fair amount: the mutations are not all fatal, nor all harmless.
        Assert.True(decoded > 20_000, $"decoded {decoded}");
        Assert.True(rejected > 200_000, $"rejected {rejected}");
    }

    private static int Run(Action decode, byte[] data, int caseNumber)
    {
        try
        {
            decode();
            return 1;
        }
        catch (DeserializationException)
        {
            return 0;
        }
        catch (Exception e)
        {
            Assert.Fail($"case {caseNumber}: {e.GetType().Name}: {e.Message}\ninput: {Convert.ToHexString(data)}");
            return 0;
        }
    }

    private static byte[] Next(Random random, int i)
    {
        switch (i % 8)
        {
            case 0:
            {
                var bytes = new byte[random.Next(0, 64)];
                random.NextBytes(bytes);
                return bytes;
            }

            case 1:
            {
                var bytes = new byte[random.Next(0, 96)];
                for (var j = 0; j < bytes.Length; j++)
                {
                    bytes[j] = Alphabet[random.Next(Alphabet.Length)];
                }

                return bytes;
            }

            case 2:
            {
                var depth = random.Next(1, 40);
                return Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', random.Next(0, depth + 2)));
            }

            case 3:
                return Seeds[random.Next(Seeds.Length)];

            default:
            {
                var data = new List<byte>(Seeds[random.Next(Seeds.Length)]);
                var mutations = random.Next(1, 4);
                for (var m = 0; m < mutations && data.Count > 0; m++)
                {
                    var at = random.Next(data.Count);
                    switch (random.Next(6))
                    {
                        case 0: data[at] = (byte)random.Next(256); break;
                        case 1: data[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                        case 2: data.RemoveAt(at); break;
                        case 3: data.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                        case 4: data.RemoveRange(at, data.Count - at); break;
                        default: data.InsertRange(at, data.GetRange(at, Math.Min(data.Count - at, random.Next(1, 20)))); break;
                    }
                }

                return [.. data];
            }
        }
    }
}
