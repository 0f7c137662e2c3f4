using System.Runtime.CompilerServices;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;

namespace DataWeaver.Serialization.Avro.Tests.Fuzz;

/// <summary>
/// The inputs the fuzz tests found that crashed, hung or exhausted memory, each reduced to its cause. Every
/// case runs under the fuzz harness guards (time, allocation, data errors only).
/// </summary>
public sealed class FuzzRegressionTests
{
    private static readonly AvroSchema NullArray = AvroSchema.Parse("""{"type":"array","items":"null"}""");
    private static readonly AvroSchema NullGrid = AvroSchema.Parse("""{"type":"array","items":{"type":"array","items":"null"}}""");
    private static readonly AvroSchema NullRecord = AvroSchema.Parse("""{"type":"record","name":"Empty","fields":[{"name":"n","type":"null"}]}""");

    /// <summary>
    /// Found by GenericReader_MutatedInput (seed 1001, case 5846): a block of 3 nulls then a block count of
    /// long.MaxValue - 1; count + items-so-far overflowed to a negative number, passed the check, and the reader
    /// added nulls until it ran out of memory.
    /// </summary>
    [Theory]
    [InlineData("06FCFFFFFFFFFFFFFFFF0100")]
    [InlineData("06FDFFFFFFFFFFFFFFFF010000")]
    public void ArrayOfNulls_BlockCountOverflowingTheTotal_ThrowsDataError(string hex)
    {
        var data = Convert.FromHexString(hex);

        RunGuarded(() => new AvroDeserializer<object>(NullArray).Deserialize(data));
        RunGuarded(() => new AvroDeserializer<object>(NullArray, new AvroSerializerOptions { ReaderSchema = AvroSchema.Parse("""{"type":"array","items":["null","int"]}""") }).Deserialize(data));
    }

    /// <summary>
    /// Nested arrays of nulls: each inner array may hold up to the zero-size limit (1,000,000), 4 bytes each, so
    /// 40 KB of input used to expand to 10^10 list entries. The limit now holds for the whole datum.
    /// </summary>
    [Fact]
    public void NestedArraysOfNulls_ManyInnerArraysAtTheLimit_ThrowsDataError()
    {
        var data = new List<byte>(Mutator.Varint(10_000));
        for (var i = 0; i < 10_000; i++)
        {
            data.AddRange(Mutator.Varint(1_000_000));
            data.Add(0);
        }

        data.Add(0);
        var input = data.ToArray();

        var ex = RunGuarded(() => new AvroDeserializer<object>(NullGrid, new AvroSerializerOptions { MaxRecordSize = 1 << 20 }).Deserialize(input));
        Assert.Contains("above the limit of 1000000", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NestedArraysOfNulls_Skipped_ThrowsDataError()
    {
        var data = new List<byte>(Mutator.Varint(10_000));
        for (var i = 0; i < 10_000; i++)
        {
            data.AddRange(Mutator.Varint(1_000_000));
            data.Add(0);
        }

        data.Add(0);
        data.Add(0x02);
        var writer = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"grid","type":{"type":"array","items":{"type":"array","items":"null"}}},{"name":"n","type":"int"}]}""");
        var reader = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"n","type":"int"}]}""");
        var input = data.ToArray();

        RunGuarded(() => new AvroDeserializer<object>(writer, new AvroSerializerOptions { ReaderSchema = reader, MaxRecordSize = 1 << 20 }).Deserialize(input));
    }

    [Fact]
    public void NullsUpToTheLimit_StillDecode()
    {
        var input = new List<byte>(Mutator.Varint(1_000_000)) { 0 }.ToArray();

        var list = Assert.IsType<List<object?>>(new AvroDeserializer<object>(NullArray).Deserialize(input));

        Assert.Equal(1_000_000, list.Count);
    }

    /// <summary>
    /// A container file whose records take no bytes (schema "null" or a record of nulls) and whose block claims
    /// long.MaxValue records: the reader yielded records forever.
    /// </summary>
    [Theory]
    [InlineData("\"null\"")]
    [InlineData("""{"type":"record","name":"Empty","fields":[{"name":"n","type":"null"}]}""")]
    public void ContainerReader_ZeroSizeRecordsWithHugeBlockCount_ThrowsDataError(string schemaJson)
    {
        var schema = AvroSchema.Parse(schemaJson);
        var file = ContainerWith(schema, Mutator.Varint(long.MaxValue));

        var ex = RunGuarded(() =>
        {
            using var reader = AvroContainerReader.Open(new MemoryStream(file));
            foreach (var record in reader.ReadAll())
            {
                GC.KeepAlive(record);
            }
        });
        Assert.Contains("is larger than its 0 bytes can hold", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainerReader_ZeroSizeRecordsWithinTheLimit_AreRead()
    {
        var file = ContainerWith(NullRecord, Mutator.Varint(1000));

        using var reader = AvroContainerReader.Open(new MemoryStream(file));

        Assert.Equal(1000, reader.ReadAll().Count());
    }

    /// <summary>
    /// Found by ContainerReader_MutatedFile (seed 1004, case 5621): a corrupt length of 64 MiB in a 1.4 KB file
    /// allocated 64 MiB before finding out the file was shorter.
    /// </summary>
    [Fact]
    public void ContainerReader_HugeLengthInShortFile_AllocatesWithTheData()
    {
        var file = new List<byte>(ContainerHeader(AvroSchema.Parse("\"long\"")));
        file.AddRange(Mutator.Varint(1));
        file.AddRange(Mutator.Varint((64 * 1024 * 1024) - 1));
        file.AddRange(new byte[100]);
        var input = file.ToArray();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<DeserializationException>(() =>
        {
            using var reader = AvroContainerReader.Open(new MemoryStream(input));
            _ = reader.ReadAll().Count();
        });
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("truncated file: the block needs 67108863 bytes", ex.Reason, StringComparison.Ordinal);
        Assert.True(allocated < 4 * 1024 * 1024, $"allocated {allocated:N0} bytes");
    }

    /// <summary>
    /// Found by ContainerReader_MutatedFile (seed 1004, cases 57, 4260, 9462): a corrupted avro.schema that
    /// still parses but cannot be read as the reader schema escaped as a fatal AvroSchemaException, unlike
    /// AvroDeserializer, which reports an unreadable writer schema as a data error. The same for a typed read
    /// whose type does not map to the schema the file names (case 1732).
    /// </summary>
    [Fact]
    public void ContainerReader_FileSchemaNotReadableAsReaderSchema_ThrowsDataError()
    {
        var file = ContainerWith(AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}"""), Mutator.Varint(0));
        var reader = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"b","type":"int"}]}""");

        var ex = Assert.Throws<DeserializationException>(() => AvroContainerReader.Open(new MemoryStream(file), new AvroContainerReaderOptions { ReaderSchema = reader }));

        Assert.IsType<AvroSchemaException>(ex.InnerException);
        Assert.Contains("cannot be read as the reader schema", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainerReader_FileSchemaNotMappableToType_ThrowsDataError()
    {
        var file = ContainerWith(AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"x","type":"string"}]}"""), Mutator.Varint(0));
        using var reader = AvroContainerReader.Open(new MemoryStream(file));

        var ex = Assert.Throws<DeserializationException>(() => reader.Read<FuzzLine>().Count());

        Assert.Contains("cannot be mapped to FuzzLine", ex.Reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// Found while profiling ContainerReader_MutatedFile (about 1 ms a case): every file's schema was parsed anew,
    /// and typed reads compiled and cached converters per (type, schema instance) in a static dictionary that
    /// held every schema and its expression trees for the life of the process. Header schemas are now shared
    /// through a cache of at most 64, and converters die with their schema.
    /// </summary>
    [Fact]
    public void ContainerReader_TypedReadsOfManyFiles_DoNotKeepTheirSchemasAlive()
    {
        var first = ReadTypedAndForget(FileOfOneLine("ns0"));
        for (var i = 1; i < 100; i++)
        {
            _ = ReadTypedAndForget(FileOfOneLine("ns" + i));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(first.IsAlive);
    }

    [Fact]
    public void ContainerReader_FilesWithTheSameSchema_ShareOneSchemaInstance()
    {
        using var first = AvroContainerReader.Open(new MemoryStream(FileOfOneLine("shared")));
        using var second = AvroContainerReader.Open(new MemoryStream(FileOfOneLine("shared")));

        Assert.Same(first.WriterSchema, second.WriterSchema);
    }

    private static byte[] FileOfOneLine(string ns)
    {
        using var stream = new MemoryStream();
        var schema = AvroSchema.Parse("""{"type":"record","name":"Line","namespace":"NS","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"}]}""".Replace("NS", ns, StringComparison.Ordinal));
        using (var writer = new AvroContainerWriter(stream, schema, new AvroContainerWriterOptions { LeaveOpen = true }))
        {
            writer.Append(new FuzzLine("a", 1));
        }

        return stream.ToArray();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ReadTypedAndForget(byte[] file)
    {
        using var reader = AvroContainerReader.Open(new MemoryStream(file));
        Assert.Equal([new FuzzLine("a", 1)], reader.Read<FuzzLine>().ToList());
        return new WeakReference(reader.WriterSchema);
    }

    /// <summary>A header, then one block of <paramref name="count"/> records and no bytes.</summary>
    private static byte[] ContainerWith(AvroSchema schema, byte[] count)
    {
        var header = ContainerHeader(schema);
        var file = new List<byte>(header);
        file.AddRange(count);
        file.Add(0);
        file.AddRange(header.AsSpan(header.Length - 16).ToArray());
        return [.. file];
    }

    private static byte[] ContainerHeader(AvroSchema schema)
    {
        using var stream = new MemoryStream();
        using (new AvroContainerWriter(stream, schema, new AvroContainerWriterOptions { LeaveOpen = true }))
        {
        }

        return stream.ToArray();
    }

    private static DeserializationException RunGuarded(Action decode)
    {
        DeserializationException? caught = null;
        FuzzHarness.Run("regression", 0, 1, _ => [], (_, _) =>
        {
            try
            {
                decode();
            }
            catch (DeserializationException ex)
            {
                caught = ex;
                throw;
            }
        }, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        return caught ?? throw new Xunit.Sdk.XunitException("expected a DeserializationException");
    }
}
