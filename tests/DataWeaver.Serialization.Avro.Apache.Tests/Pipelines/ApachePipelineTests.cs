using System.Buffers;
using DataWeaver.Connectors.Memory;
using DataWeaver.Interop.Generated;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Avro.Apache.Serializers;
using static DataWeaver.Serialization.Avro.Apache.Tests.Interop.InteropData;

namespace DataWeaver.Serialization.Avro.Apache.Tests.Pipelines;

/// <summary>Generated Apache.Avro classes flowing through a pipeline, DataWeaver's codec decoding and encoding them.</summary>
public sealed class ApachePipelineTests
{
    [Fact]
    public async Task Pipeline_ApacheWrittenRecords_DecodedTransformedEncodedAndReadByApache_NoneLostOrderKept()
    {
        const int Count = 2000;
        var input = Enumerable.Range(0, Count).Select(i =>
        {
            var record = Sample(i % 5);
            record.total = i;
            return ApacheWriteSpecific(record, ApacheSchema);
        }).ToList();
        var deserializer = new ApacheAvroDeserializer<Everything>();
        var serializer = new ApacheAvroSerializer<Everything>();
        var sink = new CollectionSink<byte[]>();

        var pipeline = Pipeline.From(new CollectionSource<byte[]>(input))
            .Map(bytes => deserializer.Deserialize(bytes))
            .Parallel(2)
            .Map(record =>
            {
                record.name = "seen:" + record.name;
                record.count++;
                return record;
            })
            .Map(record =>
            {
                var buffer = new ArrayBufferWriter<byte>();
                serializer.Serialize(record, buffer);
                return buffer.WrittenSpan.ToArray();
            })
            .To(sink)
            .Build();
        await pipeline.RunAsync();

        Assert.Equal(Count, sink.Records.Count);
        for (var i = 0; i < Count; i++)
        {
            var expected = Sample(i % 5);
            expected.total = i;
            expected.name = "seen:" + expected.name;
            expected.count++;
            AssertDeepEqual(expected, ApacheReadSpecific<Everything>(sink.Records[i], ApacheSchema));
        }
    }
}
