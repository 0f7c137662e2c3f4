using System.Buffers;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Framing;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Serializers;
using Xunit.Abstractions;

namespace DataWeaver.Serialization.Avro.Tests.Fuzz;

/// <summary>
/// Seeded fuzzing of every Avro decoder with random bytes and mutated valid encodings (100,000 cases per
/// decoder; <c>AVRO_FUZZ_CASES</c> and <c>AVRO_FUZZ_SEED</c> change the count and the seed). Each decoder must
/// decode or throw a data error, never crash, hang or allocate without bound; see <see cref="FuzzHarness"/>.
/// </summary>
public sealed class AvroDecoderFuzzTests(ITestOutputHelper output)
{
    private const int CorpusSize = 64;

    /// <summary>The share of container mutations after the header, in percent; each mutated schema costs a parse, a plan and (typed) a compile.</summary>
    private const int HotPercent = 95;

    private static readonly AvroSerializerOptions Plain = new() { MaxRecordSize = FuzzModel.MaxRecordSize };

    [Fact]
    public void GenericReader_MutatedInput_DecodesOrThrowsDataError()
    {
        var deserializer = new AvroDeserializer<GenericRecord>(FuzzModel.WriterSchema, Plain);
        var mutator = new Mutator(FuzzModel.Corpus(1, CorpusSize, AvroFraming.None));

        Report(FuzzHarness.Run("generic reader", FuzzHarness.Seed(1001), FuzzHarness.Cases, mutator.Next, (i, input) =>
        {
            if (i % 4 == 0)
            {
                _ = AvroDatum.Read(input, FuzzModel.WriterSchema);
            }
            else
            {
                _ = deserializer.Deserialize(input);
            }
        }));
    }

    [Fact]
    public void TypedReader_MutatedInput_DecodesOrThrowsDataError()
    {
        var deserializer = new AvroDeserializer<FuzzOrder>(FuzzModel.WriterSchema, Plain);
        var mutator = new Mutator(FuzzModel.Corpus(2, CorpusSize, AvroFraming.None));

        Report(FuzzHarness.Run("typed reader", FuzzHarness.Seed(1002), FuzzHarness.Cases, mutator.Next, (i, input) =>
        {
            if (i % 4 == 0)
            {
                _ = deserializer.Deserialize(SplitInTwo(input));
            }
            else
            {
                _ = deserializer.Deserialize(input);
            }
        }));
    }

    [Fact]
    public void ResolvingReader_MutatedInput_DecodesOrThrowsDataError()
    {
        var options = new AvroSerializerOptions { MaxRecordSize = FuzzModel.MaxRecordSize, ReaderSchema = FuzzModel.ReaderSchema };
        var deserializer = new AvroDeserializer<GenericRecord>(FuzzModel.WriterSchema, options);
        var mutator = new Mutator(FuzzModel.Corpus(3, CorpusSize, AvroFraming.None));

        Report(FuzzHarness.Run("schema-resolving reader", FuzzHarness.Seed(1003), FuzzHarness.Cases, mutator.Next, (i, input) =>
        {
            if (i % 4 == 0)
            {
                _ = AvroDatum.Read(input, FuzzModel.WriterSchema, FuzzModel.ReaderSchema);
            }
            else
            {
                _ = deserializer.Deserialize(input);
            }
        }));
    }

    [Fact]
    public void ContainerReader_MutatedFile_ReadsOrThrowsDataError()
    {
        var mutator = new Mutator(FuzzModel.ContainerCorpus(4, CorpusSize), HeaderLength, HotPercent);
        var resolving = new AvroContainerReaderOptions { ReaderSchema = FuzzModel.ReaderSchema, MaxBlockSize = 1024 * 1024 };
        var plain = new AvroContainerReaderOptions();

        Report(FuzzHarness.Run("object container file reader", FuzzHarness.Seed(1004), FuzzHarness.Cases, mutator.Next, (i, input) =>
        {
            using var reader = AvroContainerReader.Open(new MemoryStream(input), i % 4 == 0 ? resolving : plain);
            foreach (var record in i % 8 == 1 ? reader.Read<FuzzOrder>().Cast<object?>() : reader.ReadAll())
            {
                GC.KeepAlive(record);
            }
        }));
    }

    [Fact]
    public void SingleObjectReader_MutatedInput_DecodesOrThrowsDataError()
    {
        var options = new AvroSerializerOptions { MaxRecordSize = FuzzModel.MaxRecordSize, Framing = AvroFraming.SingleObject };
        var deserializer = new AvroDeserializer<GenericRecord>(FuzzModel.WriterSchema, options);
        var mutator = new Mutator(FuzzModel.Corpus(5, CorpusSize, AvroFraming.SingleObject), _ => AvroSingleObject.HeaderSize);
        var fingerprint = FuzzModel.WriterSchema.Fingerprint;

        Report(FuzzHarness.Run("single-object reader", FuzzHarness.Seed(1005), FuzzHarness.Cases, mutator.Next, (i, input) =>
        {
            if (i % 2 == 0)
            {
                _ = AvroSingleObject.Read(input, fp => fp == fingerprint ? FuzzModel.WriterSchema : null);
            }
            else
            {
                _ = deserializer.Deserialize(input);
            }
        }));
    }

    [Fact]
    public void ConfluentReader_MutatedInput_DecodesOrThrowsDataError()
    {
        var options = new AvroSerializerOptions { MaxRecordSize = FuzzModel.MaxRecordSize, Framing = AvroFraming.Confluent, SchemaId = FuzzModel.SchemaId };
        var deserializer = new AvroDeserializer<FuzzOrder>(FuzzModel.WriterSchema, options);
        var mutator = new Mutator(FuzzModel.Corpus(6, CorpusSize, AvroFraming.Confluent), _ => ConfluentWireFormat.HeaderSize);

        Report(FuzzHarness.Run("Confluent reader", FuzzHarness.Seed(1006), FuzzHarness.Cases, mutator.Next, (i, input) =>
        {
            if (i % 2 == 0)
            {
                _ = ConfluentWireFormat.Read(input, id => id == FuzzModel.SchemaId ? FuzzModel.WriterSchema : null, FuzzModel.ReaderSchema);
            }
            else
            {
                _ = deserializer.Deserialize(input);
            }
        }));
    }

    /// <summary>The header of a container file ends with the first copy of the sync marker, which also ends the file.</summary>
    private static int HeaderLength(byte[] file)
    {
        var sync = file.AsSpan(file.Length - 16);
        return file.AsSpan().IndexOf(sync) + 16;
    }

    private static ReadOnlySequence<byte> SplitInTwo(byte[] input)
    {
        if (input.Length < 2)
        {
            return new ReadOnlySequence<byte>(input);
        }

        var first = new Segment(input.AsMemory(0, input.Length / 2), 0);
        var last = first.Append(input.AsMemory(input.Length / 2));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private void Report(FuzzReport report) => output.WriteLine(report.ToString());

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
