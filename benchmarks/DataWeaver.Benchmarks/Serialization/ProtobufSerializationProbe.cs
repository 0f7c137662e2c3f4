namespace DataWeaver.Benchmarks.Serialization;

/// <summary>
/// The Protobuf rows of <c>-- --probe-serialization</c> (printed after <see cref="SerializationProbe"/>'s): every
/// <see cref="ProtobufSerializationBenchmarks"/> method 2,000,000 times in this process, five times over, with time,
/// records/s and <c>GC.GetTotalAllocatedBytes(precise: true)</c> per record with fractions.
/// </summary>
public static class ProtobufSerializationProbe
{
    public static void Run(int records = 2_000_000, int runs = 5)
    {
        var protobuf = new ProtobufSerializationBenchmarks();
        protobuf.Setup();
        Console.WriteLine($"Protobuf record: {protobuf.EncodedSize} bytes");
        (string Name, Func<int, long> Run)[] variants =
        [
            ("Protobuf encode: ToByteArray", n => SerializationProbe.Loop(n, protobuf.Encode_ToByteArray)),
            ("Protobuf encode: ProtobufSerializer", n => SerializationProbe.Loop(n, protobuf.Encode_ProtobufSerializer)),
            ("Protobuf decode: ParseFrom(byte[])", n => SerializationProbe.Loop(n, () => protobuf.Decode_ParseFrom().Quantity)),
            ("Protobuf decode: ProtobufDeserializer", n => SerializationProbe.Loop(n, () => protobuf.Decode_ProtobufDeserializer().Quantity)),
        ];

        SerializationProbe.Measure(variants, records, runs);

        protobuf.Cleanup();
    }
}
