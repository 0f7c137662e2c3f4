using DataWeaver.Interop.Generated;
using DataWeaver.Serialization.Avro.Apache.Serializers;
using static DataWeaver.Serialization.Avro.Apache.Tests.Interop.InteropData;
using ApacheRecord = Avro.Generic.GenericRecord;

namespace DataWeaver.Serialization.Avro.Apache.Tests.Interop;

/// <summary>
/// Generated classes are decoded by an emitted reader (direct reads into their properties); Apache's generic records
/// by the field-by-field nodes. Both read the same bytes in the same order, so on any input, good or bad, they must
/// agree: the same values, or the same error at the same offset.
/// </summary>
public sealed class SpecificReadTests
{
    [Theory]
    [MemberData(nameof(SampleIndexes), MemberType = typeof(InteropData))]
    public void Deserialize_EveryTruncationAndCorruptedByte_GeneratedClassSameOutcomeAsGenericRecord(int index)
    {
        var bytes = ApacheWriteSpecific(Sample(index), ApacheSchema);
        var specific = new ApacheAvroDeserializer<Everything>();
        var generic = new ApacheAvroDeserializer<ApacheRecord>(OurSchema);
        var specificWriter = new ApacheAvroSerializer<Everything>();
        var genericWriter = new ApacheAvroSerializer<ApacheRecord>(OurSchema);
        var inputs = new List<byte[]> { bytes };
        for (var length = 0; length < bytes.Length; length++)
        {
            inputs.Add(bytes[..length]);
        }

        foreach (var corrupt in new byte[] { 0x00, 0x7F, 0x80, 0xFF })
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                var changed = (byte[])bytes.Clone();
                changed[i] = corrupt;
                inputs.Add(changed);
            }
        }

        var failures = 0;
        foreach (var input in inputs)
        {
            var ours = Outcome(() => ApacheInteropTests.Encode(specificWriter, specific.Deserialize(input)));
            var reference = Outcome(() => ApacheInteropTests.Encode(genericWriter, generic.Deserialize(input)));
            Assert.Equal(reference, ours);
            failures += ours.StartsWith("error", StringComparison.Ordinal) ? 1 : 0;
        }

        Assert.True(failures >= bytes.Length, $"only {failures} of {inputs.Count} inputs failed");
    }

    [Fact]
    public void Deserialize_GeneratedClassOfPrimitivesAndStrings_AllocatesOnlyTheRecordAndItsString()
    {
        var deserializer = new ApacheAvroDeserializer<Inner>();
        var bytes = ApacheWriteSpecific(new Inner { id = 123_456, label = "label" }, Inner._SCHEMA);
        Assert.Equal("label", deserializer.Deserialize(bytes).label);
        var expected = Allocated(() => new Inner()) + Allocated(() => new string('x', 5));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            deserializer.Deserialize(bytes);
        }

        Assert.Equal(1000 * expected, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static long Allocated(Func<object> create)
    {
        create();
        var before = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(create());
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static string Outcome(Func<byte[]> decodeAndEncode)
    {
        try
        {
            return "ok " + Convert.ToHexString(decodeAndEncode());
        }
        catch (DeserializationException ex)
        {
            return $"error at {ex.Offset}: {ex.Reason}";
        }
    }
}
