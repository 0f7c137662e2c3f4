using System.Diagnostics;

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
            ("Protobuf encode: ToByteArray", n => Loop(n, protobuf.Encode_ToByteArray)),
            ("Protobuf encode: ProtobufSerializer", n => Loop(n, protobuf.Encode_ProtobufSerializer)),
            ("Protobuf decode: ParseFrom(byte[])", n => Loop(n, () => protobuf.Decode_ParseFrom().Quantity)),
            ("Protobuf decode: ProtobufDeserializer", n => Loop(n, () => protobuf.Decode_ProtobufDeserializer().Quantity)),
        ];

        Console.WriteLine($"{"Method",-38} {"run",3} {"ns/record",10} {"records/s",12} {"B/record",10}");
        foreach (var (name, run) in variants)
        {
            run(records / 10);
            for (var i = 0; i < runs; i++)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                var watch = Stopwatch.StartNew();
                _ = run(records);
                watch.Stop();
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                Console.WriteLine($"{name,-38} {i,3} {watch.Elapsed.TotalNanoseconds / records,10:F1} {records / watch.Elapsed.TotalSeconds,12:N0} {allocated / (double)records,10:F3}");
            }
        }

        protobuf.Cleanup();
    }

    private static long Loop(int records, Func<int> body)
    {
        long sum = 0;
        for (var i = 0; i < records; i++)
        {
            sum += body();
        }

        return sum;
    }
}
