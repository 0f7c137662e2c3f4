using DataWeaver.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DataWeaver.Hosting.Internal;

/// <summary>The one <see cref="PipelineFactory"/> of a definition file, created on first use with the host's clock, disposed after the pipelines.</summary>
internal sealed class SharedPipelineFactory(PipelineLoadOptions? options) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private PipelineFactory? _factory;

    public PipelineFactory Get(IServiceProvider services)
    {
        lock (_lock)
        {
            return _factory ??= new PipelineFactory(
                options?.Registry,
                new PipelineFactoryOptions
                {
                    BaseDirectory = options?.BaseDirectory,
                    TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System,
                    LoggerFactory = services.GetService<Microsoft.Extensions.Logging.ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
                });
        }
    }

    public ValueTask DisposeAsync()
    {
        PipelineFactory? factory;
        lock (_lock)
        {
            (factory, _factory) = (_factory, null);
        }

        return factory?.DisposeAsync() ?? default;
    }
}
