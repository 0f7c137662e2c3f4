using Microsoft.Extensions.Time.Testing;

namespace DataWeaver.Kafka.Tests.Framework;

public sealed class KafkaLogRepeatsTests
{
    private static KafkaLogMessage Refused(int ms) =>
        new(KafkaLogLevel.Error, "dataweaver#producer-1", "FAIL", $"127.0.0.1:9/bootstrap: Connect to ipv4#127.0.0.1:9 failed: Connection refused (after {ms}ms in state CONNECT)");

    [Fact]
    public void Write_SameLineRetriedEvery50Milliseconds_OneLinePerWindowCountingTheRest()
    {
        var clock = new FakeTimeProvider();
        var written = new List<KafkaLogMessage>();
        var repeats = new KafkaLogRepeats(written.Add, clock);

        for (var i = 0; i < 1200; i++) // a minute of reconnects every 50 ms
        {
            repeats.Write(Refused(i % 3));
            clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal(2, written.Count);
        Assert.Equal(Refused(0), written[0]);
        Assert.EndsWith("(after 0ms in state CONNECT) (and 599 more like it in the 30 s before)", written[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_DifferentLines_EveryOneWritten()
    {
        var clock = new FakeTimeProvider();
        var written = new List<KafkaLogMessage>();
        var repeats = new KafkaLogRepeats(written.Add, clock);

        repeats.Write(Refused(0));
        repeats.Write(Refused(0) with { Client = "dataweaver#consumer-2" });
        repeats.Write(Refused(0) with { Level = KafkaLogLevel.Warning });
        repeats.Write(Refused(0) with { Message = "Disconnected" });

        Assert.Equal(4, written.Count);
    }
}
