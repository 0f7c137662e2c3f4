using System.Diagnostics;
using DataWeaver.Kafka.Testing;

namespace DataWeaver.Benchmarks.Streamiz;

/// <summary>
/// librdkafka's mock cluster in a child process, so that the brokers' CPU time is not counted in the peers' (the probe
/// measures its own process). The child prints "bootstrap SERVERS", then creates a topic for each "create TOPIC" line
/// on its standard input (answering "created TOPIC"), and ends when its input closes.
/// </summary>
internal sealed class MockClusterProcess : IDisposable
{
    private readonly Process process;

    private MockClusterProcess(Process process, string bootstrap)
    {
        this.process = process;
        BootstrapServers = bootstrap;
    }

    /// <summary>Gets the cluster's bootstrap.servers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Starts the child process and waits for its bootstrap servers.</summary>
    /// <returns>The running cluster.</returns>
    public static MockClusterProcess Start()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DataWeaver.Benchmarks.Streamiz.dll"));
        info.ArgumentList.Add("--mock-cluster");
        var process = Process.Start(info)!;
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the mock cluster process ended");
        return new MockClusterProcess(process, line["bootstrap ".Length..]);
    }

    /// <summary>The child's side.</summary>
    /// <returns>A task that completes when the parent closed the input.</returns>
    public static async Task HostAsync()
    {
        await using var cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero); // a fixed 3 s otherwise, in every peer's wall time
        Console.WriteLine("bootstrap " + cluster.BootstrapServers);
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var topic = line["create ".Length..];
            cluster.CreateTopic(topic, partitions: 1);
            Console.WriteLine("created " + topic);
        }
    }

    /// <summary>Creates a topic of one partition.</summary>
    /// <param name="topic">The name.</param>
    public void CreateTopic(string topic)
    {
        process.StandardInput.WriteLine("create " + topic);
        process.StandardInput.Flush();
        if (process.StandardOutput.ReadLine() != "created " + topic)
        {
            throw new InvalidOperationException("the mock cluster did not create " + topic);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
        }

        process.Dispose();
    }
}
