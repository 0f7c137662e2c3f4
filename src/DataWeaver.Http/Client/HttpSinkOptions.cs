using System.Globalization;
using System.Text;

namespace DataWeaver.Http;

/// <summary>Options of an <see cref="HttpSink"/>: where records go, how they are packed, how failures are retried.</summary>
public sealed record HttpSinkOptions
{
    /// <summary>
    /// Gets the URL requests go to (<c>http://</c> or <c>https://</c>). It may hold placeholders filled from each record:
    /// <c>{field}</c> or <c>{path.to.field}</c> of the record's JSON value (a string, number or boolean; URL-escaped), <c>{$key}</c>
    /// the record's key; <c>{{</c> and <c>}}</c> are the braces themselves. Records are then grouped by the URL they make, and a
    /// record without the field is a data error (dead-lettered under a dead-letter policy).
    /// </summary>
    /// <value>Required.</value>
    public required string Url { get; init; }

    /// <summary>Gets the method: POST or PUT.</summary>
    /// <value>The default is POST.</value>
    public string Method { get; init; } = "POST";

    /// <summary>Gets how records are packed into request bodies.</summary>
    /// <value>The default is <see cref="HttpSinkBody.JsonArray"/>.</value>
    public HttpSinkBody Body { get; init; } = HttpSinkBody.JsonArray;

    /// <summary>Gets the most records in one request (JSON array or NDJSON); a larger batch is sent as several requests.</summary>
    /// <value>The default is 500; from 1.</value>
    public int MaxBatchRecords { get; init; } = 500;

    /// <summary>Gets the most requests in flight at once.</summary>
    /// <value>The default is 4; from 1.</value>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>
    /// Gets extra request headers (not secrets: give a token as <see cref="Authentication"/>). A value may hold placeholders as
    /// <see cref="Url"/> does (not escaped; a value that would hold a character outside printable ASCII is a data error); records are grouped by the headers they make.
    /// </summary>
    /// <value>The default is <see langword="null"/> (none).</value>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Gets the credentials sent with every request: a bearer token (<c>Authorization: Bearer</c>) and/or an API key header.</summary>
    /// <value>The default is <see langword="null"/> (none).</value>
    public HttpAuthentication? Authentication { get; init; }

    /// <summary>Gets a CA certificate file (PEM or DER) whose certificates the sink trusts for <c>https://</c> besides the system's, for a server with a private CA; the host name is still checked.</summary>
    /// <value>The default is <see langword="null"/> (the system's roots only).</value>
    public string? TrustedCaPath { get; init; }

    /// <summary>Gets how many times a request is tried when it fails transiently (connection error, timeout, 5xx, 408, 429), the first try included.</summary>
    /// <value>The default is 6; from 1.</value>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>Gets the wait before the first retry; it doubles with each retry up to <see cref="MaxBackoff"/>. A <c>Retry-After</c> of the server replaces it.</summary>
    /// <value>The default is 200 milliseconds.</value>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets the longest wait between two tries, a server's <c>Retry-After</c> included.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the time limit of one request.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how much of a refusing response's body a dead letter's error keeps, in bytes.</summary>
    /// <value>The default is 512.</value>
    public int BodyExcerptBytes { get; init; } = 512;

    /// <summary>Gets the clock the retries wait on.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the secrets these options hold, for scrubbing.</summary>
    internal IReadOnlyList<string> Secrets => Authentication?.Secrets ?? [];

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per problem, naming the option; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        string? sampleUrl = Url;
        string? templateProblem = null;
        try
        {
            sampleUrl = Internal.RecordTemplate.Parse(Url ?? "")?.Sample("x") ?? Url;
        }
        catch (FormatException error)
        {
            templateProblem = $"HttpSinkOptions.Url has a bad placeholder: {error.Message}";
        }

        if (templateProblem is not null)
        {
            yield return templateProblem;
        }
        else if (!Uri.TryCreate(sampleUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return "HttpSinkOptions.Url must be an absolute http:// or https:// URL.";
        }

        foreach (var (header, value) in Headers ?? new Dictionary<string, string>())
        {
            string? problem = null;
            try
            {
                Internal.RecordTemplate.Parse(value ?? "");
            }
            catch (FormatException error)
            {
                problem = $"HttpSinkOptions.Headers['{header}'] has a bad placeholder: {error.Message}";
            }

            if (problem is not null)
            {
                yield return problem;
            }
        }

        if (Method is not ("POST" or "PUT"))
        {
            yield return $"HttpSinkOptions.Method must be POST or PUT (was '{Method}').";
        }

        if (MaxBatchRecords < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"HttpSinkOptions.MaxBatchRecords must be at least 1 (was {MaxBatchRecords}).");
        }

        if (MaxConcurrency < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"HttpSinkOptions.MaxConcurrency must be at least 1 (was {MaxConcurrency}).");
        }

        if (MaxAttempts < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"HttpSinkOptions.MaxAttempts must be at least 1 (was {MaxAttempts}).");
        }

        if (InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            yield return $"HttpSinkOptions.InitialBackoff must not be negative nor above MaxBackoff (were {InitialBackoff} and {MaxBackoff}).";
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            yield return $"HttpSinkOptions.RequestTimeout must be positive (was {RequestTimeout}).";
        }

        if (BodyExcerptBytes < 0)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"HttpSinkOptions.BodyExcerptBytes must not be negative (was {BodyExcerptBytes}).");
        }

        foreach (var problem in Authentication?.Validate() ?? [])
        {
            yield return problem;
        }
    }

    /// <summary>Prints the options without the secrets (records print every property by default).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Url = {HttpErrors.Scrub(Url, Secrets)}, Method = {Method}, Body = {Body}, MaxBatchRecords = {MaxBatchRecords}, MaxConcurrency = {MaxConcurrency}, MaxAttempts = {MaxAttempts}, Authentication = {Authentication?.ToString() ?? "none"}");
        return true;
    }
}

/// <summary>How an <see cref="HttpSink"/> packs records into request bodies.</summary>
public enum HttpSinkBody
{
    /// <summary>A JSON array of up to <see cref="HttpSinkOptions.MaxBatchRecords"/> records (<c>application/json</c>).</summary>
    JsonArray,

    /// <summary>Up to <see cref="HttpSinkOptions.MaxBatchRecords"/> records, one per line (<c>application/x-ndjson</c>).</summary>
    Ndjson,

    /// <summary>One request per record, its value as the body (<c>application/json</c>).</summary>
    PerRecord,
}
