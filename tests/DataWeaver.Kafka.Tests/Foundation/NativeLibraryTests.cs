using Confluent.Kafka;

namespace DataWeaver.Kafka.Tests.Foundation;

public sealed class NativeLibraryTests
{
    [Fact]
    public void EnsureLoaded_DebianLibrdkafka_Returns2xVersionThroughDefaultLoader()
    {
        var version = KafkaNativeLibrary.EnsureLoaded();

        Assert.StartsWith("2.", version, StringComparison.Ordinal);
        Assert.True(Library.Version >= KafkaNativeLibrary.MinimumVersion);
        Assert.True(Library.IsLoaded);
    }
}
