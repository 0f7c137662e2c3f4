using Confluent.Kafka;

namespace DataWeaver.Kafka.Tests.Foundation;

public sealed class NativeLibraryTests
{
    [Fact]
    public void EnsureLoaded_RedistLibrdkafka_Returns2_16Version()
    {
        var version = KafkaNativeLibrary.EnsureLoaded();

        Assert.StartsWith("2.16.", version, StringComparison.Ordinal);
        Assert.Equal(0x0210, Library.Version >> 16);
        Assert.True(Library.Version >= KafkaNativeLibrary.MinimumVersion);
        Assert.True(Library.IsLoaded);
    }

    [Fact]
    public void LoadedPath_Linux_IsTheRedistLibraryInTheOutputFolder()
    {
        KafkaNativeLibrary.EnsureLoaded();

        var path = KafkaNativeLibrary.LoadedPath;

        Assert.NotNull(path);
        Assert.StartsWith(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-"), path, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(path), new[] { "librdkafka.so", "centos8-librdkafka.so" });
    }

    [Fact]
    public async Task LoadedLibrary_ConfluentClientAndMockCluster_MapExactlyOneLibrdkafkaFile()
    {

        // Both users of librdkafka in this process: a Confluent.Kafka client and the mock cluster's P/Invoke.
        await using var cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.CreateTopic("native-library", partitions: 1);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            await producer.ProduceAsync("native-library", new Message<Null, string> { Value = "x" });
        }

        var mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].Contains("rdkafka", StringComparison.Ordinal))
            .Select(fields => fields[5].Trim())
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var loaded = Assert.IsType<string>(KafkaNativeLibrary.LoadedPath);
        Assert.Equal([loaded], mapped);
    }
}
