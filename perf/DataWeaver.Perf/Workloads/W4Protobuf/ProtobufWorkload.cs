using DataWeaver.Perf.Harness;
using DataWeaver.Perf.Peers;
using DataWeaver.Perf.Workloads.W3Ndjson;
using DataWeaver.Perf.Workloads.W4Protobuf.Messages;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;
using DataWeaver.Serialization.Protobuf.Serializers;

namespace DataWeaver.Perf.Workloads.W4Protobuf;

/// <summary>
/// W4, JSON to length-delimited Protobuf: W3's input, each line parsed and turned into a <see cref="ProtoOrder"/>,
/// written with a varint length prefix. raw-loop reads each line with one <c>Utf8JsonReader</c> pass into the message;
/// the generic engine peers parse with <see cref="JsonRecord"/> and read its six fields; DataWeaver validates each line
/// and locates its six fields in one pass (<see cref="JsonRecord.Parse(ReadOnlyMemory{byte}, ReadOnlySpan{JsonFieldPath}, Span{JsonField}, out int, JsonRecordOptions?)"/>),
/// then reads them; jsonserializer-object deserializes a
/// typed object first. DataWeaver writes with its <see cref="ProtobufSerializer{T}"/> (LengthDelimited).
/// </summary>
internal sealed class ProtobufWorkload(long records) : NdjsonInputWorkload(records)
{
    private static readonly ProtobufSerializerOptions Delimited = new() { Framing = ProtobufFraming.LengthDelimited };

    public override string Name => "W4";

    public override string Title => "JSON to length-delimited Protobuf";

    public override IEnumerable<PeerBench> Peers()
    {
        yield return FilePeer(PeerNames.RawLoop, output => Loop(output, ProtoOrders.FromJson));
        foreach (var family in StageFamily.WithoutRx)
        {
            yield return FamilyPeer<ProtoOrder>(
                family,
                s => s.Map(OrderSteps.Parse).Map(ProtoOrders.FromRecord),
                output => order =>
                {
                    ProtoOrders.WriteDelimited(order, output.Buffer);
                    output.EndRecord();
                });
        }

        yield return DataWeaverPeer(path => Pipeline.From(new NdjsonSegmentSource(Input))
            .Map<ProtoOrder, LineToProto>(default)
            .To(new FramedFileSink<ProtoOrder>(path, new ProtobufSerializer<ProtoOrder>(Delimited)))
            .Build());
        yield return FilePeer(PeerNames.JsonSerializerObject, output => Loop(output, ProtoOrders.FromObject));
    }

    private delegate ProtoOrder Convert(ReadOnlySpan<byte> line);

    private void Loop(ChunkedOutput output, Convert convert)
    {
        foreach (var line in Input.Lines())
        {
            ProtoOrders.WriteDelimited(convert(line.Span), output.Buffer);
            output.EndRecord();
        }
    }
}
