using System.Globalization;
using System.Text;

namespace DataWeaver.Http;

/// <summary>Options of an <see cref="HttpServerSource"/>: where it listens, what it accepts and when it answers.</summary>
public sealed record HttpServerSourceOptions
{
    /// <summary>The default listen address.</summary>
    public const string DefaultListen = "http://127.0.0.1:8080";

    /// <summary>The default largest body, in bytes (4 MiB).</summary>
    public const long DefaultMaxBodyBytes = 4L * 1024 * 1024;

    /// <summary>The default in-flight bound, in records.</summary>
    public const int DefaultMaxInFlightRecords = 10_000;

    /// <summary>Gets the address Kestrel listens on: an <c>http://</c> or <c>https://</c> URL with host and port (port 0 picks a free one; see <see cref="HttpServerSource.Address"/>).</summary>
    /// <value>The default is <c>http://127.0.0.1:8080</c>.</value>
    public string Listen { get; init; } = DefaultListen;

    /// <summary>Gets the path requests are posted to.</summary>
    /// <value>The default is <c>/</c>.</value>
    public string Path { get; init; } = "/";

    /// <summary>
    /// Gets the in-flight bound: the most records accepted and not yet committed (queued for the pipeline or inside it). A request
    /// that would go past it is refused with <see cref="OverloadStatusCode"/> and <c>Retry-After</c>; nothing is buffered beyond it.
    /// It counts the records inside the pipeline too, so the lower of it and the pipeline's
    /// <see cref="Pipelines.PipelineOptions.MaxInFlightRecords"/> bounds the records the pipeline holds.
    /// </summary>
    /// <value>The default is 10,000; from 1.</value>
    public int MaxInFlightRecords { get; init; } = DefaultMaxInFlightRecords;

    /// <summary>Gets the largest request body in bytes; a larger one is refused with 413.</summary>
    /// <value>The default is 4 MiB; from 1.</value>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>Gets when a request is answered.</summary>
    /// <value>The default is <see cref="HttpResponseMode.Committed"/> (200 means delivered at least once).</value>
    public HttpResponseMode Respond { get; init; } = HttpResponseMode.Committed;

    /// <summary>Gets what happens to a malformed body (or NDJSON line).</summary>
    /// <value>The default is <see cref="HttpMalformedAction.Refuse"/> (400 naming the position; nothing of the request is accepted).</value>
    public HttpMalformedAction Malformed { get; init; } = HttpMalformedAction.Refuse;

    /// <summary>Gets the status of a request refused because the in-flight bound is reached: 429 or 503.</summary>
    /// <value>The default is 429.</value>
    public int OverloadStatusCode { get; init; } = 429;

    /// <summary>Gets the <c>Retry-After</c> of a refused request (whole seconds, at least 1).</summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets how requests authenticate; <see langword="null"/> accepts every request.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public HttpAuthentication? Authentication { get; init; }

    /// <summary>Gets the server certificate (a PKCS#12 file) of an <c>https://</c> <see cref="Listen"/> address.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? CertificatePath { get; init; }

    /// <summary>Gets the certificate file's password. A secret: never printed.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? CertificatePassword { get; init; }

    /// <summary>Gets the clock of record timestamps.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the secrets these options hold, for scrubbing.</summary>
    internal IReadOnlyList<string> Secrets => [.. Authentication?.Secrets ?? [], .. CertificatePassword is { Length: > 0 } p ? new[] { p } : []];

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per problem, naming the option; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        if (!Uri.TryCreate(Listen, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
        {
            yield return $"HttpServerSourceOptions.Listen must be an http:// or https:// URL with a host and a port and no path (was '{Listen}').";
        }
        else if (uri.Scheme == "https" && CertificatePath is null)
        {
            yield return "HttpServerSourceOptions.CertificatePath is required for an https:// Listen address.";
        }

        if (string.IsNullOrEmpty(Path) || Path[0] != '/')
        {
            yield return $"HttpServerSourceOptions.Path must start with '/' (was '{Path}').";
        }

        if (MaxInFlightRecords < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"HttpServerSourceOptions.MaxInFlightRecords must be at least 1 (was {MaxInFlightRecords}).");
        }

        if (MaxBodyBytes < 1 || MaxBodyBytes > Array.MaxLength)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"HttpServerSourceOptions.MaxBodyBytes must be from 1 to {Array.MaxLength} (was {MaxBodyBytes}).");
        }

        if (OverloadStatusCode is not (429 or 503))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"HttpServerSourceOptions.OverloadStatusCode must be 429 or 503 (was {OverloadStatusCode}).");
        }

        if (RetryAfter < TimeSpan.Zero)
        {
            yield return $"HttpServerSourceOptions.RetryAfter must not be negative (was {RetryAfter}).";
        }

        if (Authentication?.OAuth2 is not null)
        {
            yield return "HttpServerSourceOptions.Authentication.OAuth2 is for the client connectors; the server source checks a bearer token or an API key.";
        }

        foreach (var problem in Authentication?.Validate() ?? [])
        {
            yield return problem;
        }
    }

    /// <summary>Prints the options without the secrets (records print every property by default).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Listen = {Listen}, Path = {Path}, MaxInFlightRecords = {MaxInFlightRecords}, MaxBodyBytes = {MaxBodyBytes}, Respond = {Respond}, Malformed = {Malformed}, Authentication = {Authentication?.ToString() ?? "none"}");
        return true;
    }
}

/// <summary>When an <see cref="HttpServerSource"/> answers a request.</summary>
public enum HttpResponseMode
{
    /// <summary>Once every record of the request was committed (written by every sink): 200 means delivered at least once.</summary>
    Committed,

    /// <summary>As soon as the request was accepted into the in-flight bound: 202; a crash before the commit loses it.</summary>
    Accepted,
}

/// <summary>What an <see cref="HttpServerSource"/> does with a malformed body.</summary>
public enum HttpMalformedAction
{
    /// <summary>Refuse the whole request with 400 naming the position of the first error; nothing of it enters the pipeline.</summary>
    Refuse,

    /// <summary>
    /// Hand the malformed part (the body of a JSON request, each bad line of an NDJSON one) to the pipeline's error policy as
    /// poison with its original bytes, beside the good records; the request is answered 200 with the count of both.
    /// </summary>
    DeadLetter,
}
