using DataWeaver.Nats.Tests.Support;
using DataWeaver.Streams;
using DataWeaver.Testing.Contracts;

namespace DataWeaver.Nats.Tests.Contract;

/// <summary>NATS JetStream against the stream-framework contract (run beside the in-process and Kafka frameworks).</summary>
public sealed class NatsStreamFrameworkContractTests : StreamFrameworkContractTests, IAsyncLifetime
{
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    protected override ValueTask<IStreamFramework> CreateFrameworkAsync() => new(new NatsStreamFramework(_server.Options()));
}
