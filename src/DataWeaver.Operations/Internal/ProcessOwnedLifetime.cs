using Microsoft.Extensions.Hosting;

namespace DataWeaver.Operations.Internal;

/// <summary>A host lifetime that leaves the process's signals to its owner (the CLI drains its pipelines on them).</summary>
internal sealed class ProcessOwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
