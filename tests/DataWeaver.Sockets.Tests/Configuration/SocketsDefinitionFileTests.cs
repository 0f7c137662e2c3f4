using System.Net;
using System.Net.Sockets;
using System.Text;
using DataWeaver.Configuration;
using DataWeaver.Sockets.Configuration;
using DataWeaver.Sockets.Tests.Support;

namespace DataWeaver.Sockets.Tests.Configuration;

/// <summary>The tcp and udp types of definition files: the example file (docs/sockets/tcp-relay.yaml, udp-metrics.yaml) runs end to end.</summary>
public sealed class SocketsDefinitionFileTests : IDisposable
{
    private const string Password = "relay-canary-key-password-1234";
    private readonly string _directory = Directory.CreateTempSubdirectory("dw-sockets-config-").FullName;

    [Fact]
    public async Task ExampleFile_TlsClientsThroughRelay_AcknowledgedOnlyOnceDownstreamHasThem()
    {
        var certificates = TestCertificates.Create(Path.Combine(_directory, "certificates"), serverPassword: Password);
        await using var downstream = RecordingTcpServer.Start(SocketFraming.LengthPrefixed);
        var port = FreePort(SocketType.Stream);
        await using var manager = await StartAsync("tcp-relay", new()
        {
            ["TCP_LISTEN"] = "127.0.0.1:" + port,
            ["CERT_PATH"] = certificates.ServerPath,
            ["CERT_PASSWORD"] = Password,
            ["DOWNSTREAM"] = downstream.Address,
            ["OUTPUT_DIR"] = _directory,
        }, "tcp-relay.yaml");
        var records = Enumerable.Range(0, 300).Select(i => Frames.Record(i)).ToList();
        records.Insert(150, Encoding.UTF8.GetBytes("{\"id\":\"too long\",\"pad\":\"" + new string('x', 70_000) + "\"}"));

        await using (var clients = AckingClients.Start(AckingClients.Split(records, 3), () => new IPEndPoint(IPAddress.Loopback, port), caPath: certificates.CaPath))
        {
            await clients.Completion.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(301, clients.TotalAcknowledged);
        }

        var delivered = downstream.Records.Select(r => Frames.Id(r)).Order().ToList(); // acknowledged: downstream already has them
        await manager.StopPipelineAsync("tcp-relay");

        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), delivered);
        var deadLetter = Assert.Single(File.ReadAllLines(Path.Combine(_directory, "tcp-relay-dead-letters.jsonl")));
        Assert.Contains("Frame too large on ", deadLetter, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, string.Concat(Directory.GetFiles(_directory, "*.jsonl").Select(File.ReadAllText)), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, manager.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExampleFile_UdpDatagrams_JsonOnesWrittenOthersDeadLettered()
    {
        var port = FreePort(SocketType.Dgram);
        await using var manager = await StartAsync("udp-metrics", new() { ["UDP_LISTEN"] = "127.0.0.1:" + port, ["OUTPUT_DIR"] = _directory }, "udp-metrics.yaml");
        var output = Path.Combine(_directory, "metrics.jsonl");
        var deadLetters = Path.Combine(_directory, "udp-dead-letters.jsonl");
        await Wait.UntilAsync(() => Bound(port), "the source listens"); // a datagram sent before is lost: UDP
        using var sender = new Socket(SocketType.Dgram, ProtocolType.Udp);
        sender.Connect(new IPEndPoint(IPAddress.Loopback, port));
        for (var i = 0; i < 20; i++)
        {
            sender.Send(i == 7 ? "not json"u8.ToArray() : Frames.Record(i));
            await Wait.UntilAsync(() => Lines(output) + Lines(deadLetters) > i, "the datagram was handled");
        }

        await manager.StopPipelineAsync("udp-metrics");

        Assert.Equal(Enumerable.Range(0, 20).Where(i => i != 7).Select(i => (long)i), File.ReadAllLines(output).Select(l => Frames.Id(Encoding.UTF8.GetBytes(l))));
        Assert.Contains("Undecodable datagram", Assert.Single(File.ReadAllLines(deadLetters)), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static bool Bound(int udpPort)
    {
        using var probe = new Socket(SocketType.Dgram, ProtocolType.Udp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, udpPort));
            return false;
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
    }

    private static int Lines(string path) => File.Exists(path) ? File.ReadAllLines(path).Length : 0;

    private static async Task<Manager> StartAsync(string pipeline, Dictionary<string, string> environment, string file)
    {
        var registry = ConnectorRegistry.CreateDefault().AddSockets();
        var manager = new PipelineManager(new PipelineManagerOptions { Registry = registry });
        file = Path.Combine(AppContext.BaseDirectory, "examples", file);
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(File.ReadAllText(file), file, new PipelineLoadOptions { Registry = registry, Environment = name => environment.GetValueOrDefault(name) }));
        var run = manager.StartPipeline(pipeline);
        await Task.Yield();
        Assert.False(run.Completion.IsFaulted, run.Completion.Exception?.ToString());
        return new Manager(manager);
    }

    private static int FreePort(SocketType type)
    {
        using var socket = new Socket(type, type == SocketType.Stream ? ProtocolType.Tcp : ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>The manager, and what its pipelines show of themselves (names, settings without secrets).</summary>
    private sealed class Manager(PipelineManager manager) : IAsyncDisposable
    {
        public Task StopPipelineAsync(string name) => manager.StopPipelineAsync(name);

        public string Describe() => string.Join("\n", manager.Pipelines.Select(p => p.ToString())) + manager.Registry;

        public ValueTask DisposeAsync() => manager.DisposeAsync();
    }
}
