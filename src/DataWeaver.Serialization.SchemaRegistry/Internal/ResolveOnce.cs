namespace DataWeaver.Serialization.SchemaRegistry.Internal;

/// <summary>Resolves a value once; a failed or canceled resolution is not kept, so the next call tries again.</summary>
internal sealed class ResolveOnce<TValue>(Func<Task<TValue>> resolve)
    where TValue : class
{
    private readonly Lock _gate = new();
    private Task<TValue>? _pending;
    private volatile TValue? _value;

    public TValue? Value => _value;

    public async ValueTask<TValue> GetAsync(CancellationToken cancellationToken)
    {
        if (_value is { } done)
        {
            return done;
        }

        Task<TValue> pending;
        lock (_gate)
        {
            pending = _pending is { IsFaulted: false, IsCanceled: false } p ? p : _pending = RunAsync();
        }

        return await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public TValue Get() => _value ?? GetAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();

    private async Task<TValue> RunAsync()
    {
        var value = await resolve().ConfigureAwait(false);
        _value = value;
        return value;
    }
}

/// <summary>A resolved schema id.</summary>
internal sealed record SchemaIdBox(int Id);
