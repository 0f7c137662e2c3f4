namespace DataWeaver.Connectors;

/// <summary>
/// The base of every connector: something that reads from or writes to an
/// external system. Sources read (<see cref="SourceConnector{T}.ReadAsync"/>), sinks write
/// (<see cref="SinkConnector{T}.WriteAsync"/>), both may process records on the way.
/// </summary>
public abstract class Connector
{
    /// <summary>Creates a connector.</summary>
    /// <param name="name">A name for graphs, logs and errors; <see langword="null"/> uses the type name.</param>
    protected Connector(string? name)
    {
        Name = string.IsNullOrWhiteSpace(name) ? GetType().Name : name;
    }

    /// <summary>Gets the connector's name, used in graph descriptions, logs and errors.</summary>
    public string Name { get; }

    /// <summary>
    /// Connects to the external system. Called once per pipeline run, before any record is read or written.
    /// The default does nothing.
    /// </summary>
    /// <param name="cancellationToken">Aborts the connection attempt.</param>
    /// <returns>A task that completes once connected.</returns>
    public virtual ValueTask OpenAsync(CancellationToken cancellationToken = default) => default;

    /// <summary>
    /// Disconnects. Called once per pipeline run after the last record was handled, including when the run
    /// failed or was aborted. MUST NOT throw for a connector that was never opened. The default does nothing.
    /// </summary>
    /// <param name="cancellationToken">Aborts a slow close.</param>
    /// <returns>A task that completes once closed.</returns>
    public virtual ValueTask CloseAsync(CancellationToken cancellationToken = default) => default;

    /// <inheritdoc />
    public override string ToString() => Name;
}
