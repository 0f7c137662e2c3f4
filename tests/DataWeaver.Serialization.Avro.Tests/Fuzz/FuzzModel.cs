using System.Buffers;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;

namespace DataWeaver.Serialization.Avro.Tests.Fuzz;

public enum FuzzStatus
{
    New,
    Paid,
    Shipped,
}

public sealed record FuzzLine(string Sku, int Qty);

public sealed record FuzzNode(int V, List<FuzzNode> Children);

/// <summary>The typed view of <see cref="FuzzModel.WriterSchema"/>: every Avro type, logical types, recursion and zero-size items.</summary>
public sealed record FuzzOrder(
    long Id,
    int Quantity,
    double Price,
    float Ratio,
    bool Active,
    string Name,
    string? Note,
    byte[] Payload,
    FuzzStatus Status,
    byte[] Hash,
    List<string> Tags,
    Dictionary<string, long> Attrs,
    List<FuzzLine> Lines,
    decimal Amount,
    Guid Uid,
    DateOnly Day,
    DateTime At,
    List<object?> Flags,
    FuzzLine? Next,
    FuzzNode Tree,
    List<List<object?>> Grid);

/// <summary>The schemas and the seeded corpus of valid encodings the fuzz tests mutate.</summary>
internal static class FuzzModel
{
    public const int MaxRecordSize = 64 * 1024;

    public static readonly AvroSchema WriterSchema = AvroSchema.Parse("""
        {"type":"record","name":"Order","namespace":"fuzz","fields":[
          {"name":"id","type":"long"},
          {"name":"quantity","type":"int"},
          {"name":"price","type":"double"},
          {"name":"ratio","type":"float"},
          {"name":"active","type":"boolean"},
          {"name":"name","type":"string"},
          {"name":"note","type":["null","string"]},
          {"name":"payload","type":"bytes"},
          {"name":"status","type":{"type":"enum","name":"Status","symbols":["New","Paid","Shipped"]}},
          {"name":"hash","type":{"type":"fixed","name":"Hash","size":4}},
          {"name":"tags","type":{"type":"array","items":"string"}},
          {"name":"attrs","type":{"type":"map","values":"long"}},
          {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[
            {"name":"sku","type":"string"},{"name":"qty","type":"int"}]}}},
          {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":2}},
          {"name":"uid","type":{"type":"string","logicalType":"uuid"}},
          {"name":"day","type":{"type":"int","logicalType":"date"}},
          {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"flags","type":{"type":"array","items":"null"}},
          {"name":"next","type":["null","Line"]},
          {"name":"tree","type":{"type":"record","name":"Node","fields":[
            {"name":"v","type":"int"},{"name":"children","type":{"type":"array","items":"Node"}}]}},
          {"name":"grid","type":{"type":"array","items":{"type":"array","items":"null"}}}]}
        """);

    /// <summary>
    /// An evolved reader of <see cref="WriterSchema"/>: promotions (long to double, int to long, float to double,
    /// string to bytes), a removed field (payload), an added field with a default, an enum default, a field
    /// renamed through an alias, a union reordered, and a record renamed through an alias.
    /// </summary>
    public static readonly AvroSchema ReaderSchema = AvroSchema.Parse("""
        {"type":"record","name":"Order","namespace":"fuzz","fields":[
          {"name":"id","type":"double"},
          {"name":"quantity","type":"long"},
          {"name":"price","type":"double"},
          {"name":"ratio","type":"double"},
          {"name":"active","type":"boolean"},
          {"name":"name","type":"bytes"},
          {"name":"note","type":["string","null"]},
          {"name":"status","type":{"type":"enum","name":"Status","symbols":["New","Paid","Unknown"],"default":"Unknown"}},
          {"name":"hash","type":{"type":"fixed","name":"Hash","size":4}},
          {"name":"labels","aliases":["tags"],"type":{"type":"array","items":"string"}},
          {"name":"attrs","type":{"type":"map","values":"double"}},
          {"name":"lines","type":{"type":"array","items":{"type":"record","name":"LineV2","aliases":["Line"],"fields":[
            {"name":"sku","type":"string"},{"name":"qty","type":"long"},{"name":"unit","type":"string","default":"pcs"}]}}},
          {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":2}},
          {"name":"uid","type":{"type":"string","logicalType":"uuid"}},
          {"name":"day","type":{"type":"int","logicalType":"date"}},
          {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"flags","type":{"type":"array","items":"null"}},
          {"name":"next","type":["null","LineV2"]},
          {"name":"tree","type":{"type":"record","name":"Node","fields":[
            {"name":"v","type":"long"},{"name":"children","type":{"type":"array","items":"Node"}}]}},
          {"name":"grid","type":{"type":"array","items":{"type":"array","items":"null"}}},
          {"name":"extra","type":"string","default":"x"}]}
        """);

    public const int SchemaId = 42;

    public static FuzzOrder RandomOrder(Random random)
    {
        string Text(int max) => new string('a', random.Next(max)) + (char)('a' + random.Next(26)) + (random.Next(8) == 0 ? "é€😀" : string.Empty);
        FuzzNode Tree(int depth) => new(random.Next(), depth > 0 ? [.. Enumerable.Range(0, random.Next(3)).Select(_ => Tree(depth - 1))] : []);

        return new FuzzOrder(
            Id: random.NextInt64(long.MinValue, long.MaxValue),
            Quantity: random.Next(int.MinValue, int.MaxValue),
            Price: random.NextDouble() * 1000,
            Ratio: random.NextSingle(),
            Active: random.Next(2) == 1,
            Name: Text(12),
            Note: random.Next(2) == 0 ? null : Text(8),
            Payload: [.. Enumerable.Range(0, random.Next(10)).Select(_ => (byte)random.Next(256))],
            Status: (FuzzStatus)random.Next(3),
            Hash: [.. Enumerable.Range(0, 4).Select(_ => (byte)random.Next(256))],
            Tags: [.. Enumerable.Range(0, random.Next(4)).Select(_ => Text(5))],
            Attrs: Enumerable.Range(0, random.Next(4)).ToDictionary(i => "k" + i, _ => random.NextInt64()),
            Lines: [.. Enumerable.Range(0, random.Next(4)).Select(_ => new FuzzLine(Text(6), random.Next(100)))],
            Amount: Math.Round((decimal)(random.NextDouble() * 1_000_000), 2) * (random.Next(2) == 0 ? -1 : 1),
            Uid: new Guid([.. Enumerable.Range(0, 16).Select(_ => (byte)random.Next(256))]),
            Day: DateOnly.FromDayNumber(random.Next(700_000, 800_000)),
            At: DateTime.UnixEpoch.AddMilliseconds(random.NextInt64(0, 4_000_000_000_000)),
            Flags: [.. Enumerable.Range(0, random.Next(5)).Select(_ => (object?)null)],
            Next: random.Next(2) == 0 ? null : new FuzzLine(Text(4), random.Next(10)),
            Tree: Tree(random.Next(4)),
            Grid: [.. Enumerable.Range(0, random.Next(3)).Select(_ => Enumerable.Range(0, random.Next(4)).Select(_ => (object?)null).ToList())]);
    }

    /// <summary>Valid encodings of random orders, framed as asked.</summary>
    public static byte[][] Corpus(int seed, int count, AvroFraming framing)
    {
        var random = new Random(seed);
        var serializer = new AvroSerializer<FuzzOrder>(WriterSchema, new AvroSerializerOptions { Framing = framing, SchemaId = SchemaId });
        var buffer = new ArrayBufferWriter<byte>();
        var corpus = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            buffer.ResetWrittenCount();
            serializer.Serialize(RandomOrder(random), buffer);
            corpus[i] = buffer.WrittenSpan.ToArray();
        }

        return corpus;
    }

    /// <summary>Valid object container files of 1 to 6 records in blocks of about 200 bytes, half of them deflated.</summary>
    public static byte[][] ContainerCorpus(int seed, int count)
    {
        var random = new Random(seed);
        var corpus = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            using var stream = new MemoryStream();
            var options = new AvroContainerWriterOptions { Codec = i % 2 == 0 ? AvroCodec.Null : AvroCodec.Deflate, BlockSize = 200, LeaveOpen = true };
            using (var writer = new AvroContainerWriter(stream, WriterSchema, options))
            {
                for (var n = random.Next(1, 7); n > 0; n--)
                {
                    writer.Append(RandomOrder(random));
                }
            }

            corpus[i] = stream.ToArray();
        }

        return corpus;
    }
}
