namespace DataWeaver.Kafka.Tests.Support;

/// <summary>
/// A test that injects faults into librdkafka's mock cluster: skipped, with the reason, when
/// <c>DATAWEAVER_KAFKA_BOOTSTRAP</c> points the tests at a real cluster.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MockKafkaFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute; sets <see cref="FactAttribute.Skip"/> when a real cluster is configured.</summary>
    public MockKafkaFactAttribute()
    {
        if (KafkaTestCluster.RealBootstrapServers is { } servers)
        {
            Skip = $"Fault injection needs librdkafka's mock cluster; {KafkaTestCluster.BootstrapEnvironmentVariable}={servers} points the tests at a real cluster.";
        }
    }
}

/// <summary>
/// A theory that needs librdkafka's mock cluster (fault injection, or behaviour only the mock shows): skipped, with the
/// reason, when <c>DATAWEAVER_KAFKA_BOOTSTRAP</c> points the tests at a real cluster.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MockKafkaTheoryAttribute : TheoryAttribute
{
    /// <summary>Creates the attribute; sets <see cref="FactAttribute.Skip"/> when a real cluster is configured.</summary>
    public MockKafkaTheoryAttribute()
    {
        if (KafkaTestCluster.RealBootstrapServers is { } servers)
        {
            Skip = $"Needs librdkafka's mock cluster; {KafkaTestCluster.BootstrapEnvironmentVariable}={servers} points the tests at a real cluster.";
        }
    }
}
