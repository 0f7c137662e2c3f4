namespace DataWeaver.Operations;

/// <summary>How the operations endpoint answers: who may use the management API.</summary>
public sealed record OperationsOptions
{
    /// <summary>
    /// Gets the bearer token the management API (<c>/api/...</c>) requires in an <c>Authorization: Bearer</c> header, or
    /// <see langword="null"/> for none. It is a secret: it is compared in constant time and never logged or echoed.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no authentication (bind the endpoint to loopback).</value>
    public string? BearerToken { get; init; }

    /// <summary>
    /// Gets whether <c>/metrics</c> and <c>/health/*</c> require the bearer token too. Probes and Prometheus usually
    /// cannot send one, so they are open by default; only the management API is protected.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool ProtectMetricsAndHealth { get; init; }

    /// <summary>
    /// Gets whether <c>GET /</c> serves the live web view: a static page that polls the management API once a second and
    /// shows each pipeline's compiled graph (per-block queue fill, busy share, rates), state, counters and pause and resume
    /// buttons. The page holds no data; what it shows needs the bearer token when one is set (it asks for it).
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool WebView { get; init; } = true;
}
