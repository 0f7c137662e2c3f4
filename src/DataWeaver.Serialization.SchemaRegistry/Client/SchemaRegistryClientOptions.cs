namespace DataWeaver.Serialization.SchemaRegistry.Client;

/// <summary>
/// How to reach a Confluent Schema Registry (or a compatible one). Immutable; copied by
/// <see cref="SchemaRegistryClients.Create(SchemaRegistryClientOptions)"/>. The credentials never appear in
/// <see cref="ToString"/>, logs or exception messages.
/// </summary>
public sealed class SchemaRegistryClientOptions
{
    /// <summary>Gets the registry's URL, or several separated by commas (tried in turn).</summary>
    /// <value>Required; no default.</value>
    public string Url { get; init; } = string.Empty;

    /// <summary>Gets the most schemas the client keeps in its cache (by id and by subject/schema).</summary>
    /// <value>The default is 1000; the range is 1 to 1000000.</value>
    public int MaxCachedSchemas { get; init; } = 1000;

    /// <summary>Gets how long the answer to "latest version of a subject" is cached.</summary>
    /// <value>The default is 5 minutes; zero or more.</value>
    public TimeSpan LatestCacheTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the timeout of one HTTP request to the registry.</summary>
    /// <value>The default is 30 seconds; the range is 1 millisecond to 10 minutes.</value>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the retries of a failed request (5xx, 429, network errors).</summary>
    /// <value>The default is 3; the range is 0 to 100.</value>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Gets the basic-authentication credentials as <c>user:password</c>; <see langword="null"/> for none. A secret.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? BasicAuthUserInfo { get; init; }

    /// <summary>Gets the CA certificate file used to verify the registry's TLS certificate; <see langword="null"/> for the system's.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? SslCaLocation { get; init; }

    /// <summary>Lists every problem of these options, naming the setting; empty when valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Url))
        {
            problems.Add("Url is required.");
        }
        else if (Url.Split(',').Any(u => !Uri.TryCreate(u.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            problems.Add("Url must be one or more absolute http or https URLs separated by commas.");
        }

        if (MaxCachedSchemas is < 1 or > 1_000_000)
        {
            problems.Add("MaxCachedSchemas must be 1 to 1000000.");
        }

        if (LatestCacheTtl < TimeSpan.Zero)
        {
            problems.Add("LatestCacheTtl must not be negative.");
        }

        if (RequestTimeout < TimeSpan.FromMilliseconds(1) || RequestTimeout > TimeSpan.FromMinutes(10))
        {
            problems.Add("RequestTimeout must be 1 ms to 10 minutes.");
        }

        if (MaxRetries is < 0 or > 100)
        {
            problems.Add("MaxRetries must be 0 to 100.");
        }

        if (BasicAuthUserInfo is not null && !BasicAuthUserInfo.Contains(':', StringComparison.Ordinal))
        {
            problems.Add("BasicAuthUserInfo must have the form user:password.");
        }

        return problems;
    }

    /// <inheritdoc />
    public override string ToString() => $"SchemaRegistryClientOptions {{ Url = {Url}, BasicAuth = {(BasicAuthUserInfo is null ? "none" : "***")} }}";
}
