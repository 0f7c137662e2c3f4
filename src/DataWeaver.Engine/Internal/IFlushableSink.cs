namespace DataWeaver.Internal;

/// <summary>Lets the run flush every sink after a drain without knowing their record types.</summary>
internal interface IFlushableSink
{
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
