namespace DataWeaver.Connectors.Console;

/// <summary>Writes each record as a line to standard output (or another writer).</summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class ConsoleSink<T> : SinkConnector<T>
{
    private readonly TextWriter _writer;
    private readonly Func<T, string?> _format;

    /// <summary>Creates the sink.</summary>
    /// <param name="format">Turns a record into its line; <see langword="null"/> uses <c>ToString()</c>.</param>
    /// <param name="writer">Where lines go; <see langword="null"/> uses <see cref="System.Console.Out"/>.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>console</c>.</param>
    public ConsoleSink(Func<T, string?>? format = null, TextWriter? writer = null, string? name = null)
        : base(name ?? "console")
    {
        _format = format ?? (static r => r?.ToString());
        _writer = writer ?? System.Console.Out;
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < batch.Length; i++)
        {
            await _writer.WriteLineAsync(_format(batch.Span[i])).ConfigureAwait(false);
        }

        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
