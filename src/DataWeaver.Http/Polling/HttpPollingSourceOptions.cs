using System.Globalization;
using System.Text;
using DataWeaver.Checkpoints;

namespace DataWeaver.Http;

/// <summary>Options of an <see cref="HttpPollingSource"/>: the endpoint, how it pages, where records are in a page, how often to poll.</summary>
public sealed record HttpPollingSourceOptions
{
    /// <summary>Gets the URL of the first page (<c>http://</c> or <c>https://</c>).</summary>
    /// <value>Required.</value>
    public required string Url { get; init; }

    /// <summary>Gets how the endpoint pages.</summary>
    /// <value>The default is <see cref="HttpPagination.None"/>.</value>
    public HttpPagination Pagination { get; init; } = HttpPagination.None;

    /// <summary>Gets the dotted path of the array of records in a page (<c>data</c>, <c>result.items</c>), or <see langword="null"/> when the page is the array.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? RecordsPath { get; init; }

    /// <summary>Gets the dotted path of the next page's cursor in a page (<see cref="HttpPagination.Cursor"/>); a missing, null or empty cursor means "no next page yet".</summary>
    /// <value>The default is <c>next</c>.</value>
    public string CursorPath { get; init; } = "next";

    /// <summary>Gets the query parameter the cursor is sent in (<see cref="HttpPagination.Cursor"/>).</summary>
    /// <value>The default is <c>cursor</c>.</value>
    public string CursorParameter { get; init; } = "cursor";

    /// <summary>Gets the query parameter the page number is sent in (<see cref="HttpPagination.PageNumber"/>).</summary>
    /// <value>The default is <c>page</c>.</value>
    public string PageParameter { get; init; } = "page";

    /// <summary>Gets the number of the first page (<see cref="HttpPagination.PageNumber"/>).</summary>
    /// <value>The default is 1.</value>
    public long FirstPage { get; init; } = 1;

    /// <summary>Gets the records of a full page (<see cref="HttpPagination.PageNumber"/>): after a full page the next page is read, after a shorter one the same page is polled again for what is added to it.</summary>
    /// <value>The default is 100; from 1.</value>
    public int PageSize { get; init; } = 100;

    /// <summary>Gets the wait before polling again once the last page was read.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the credentials sent with every request.</summary>
    /// <value>The default is <see langword="null"/> (none).</value>
    public HttpAuthentication? Authentication { get; init; }

    /// <summary>Gets extra request headers (not secrets).</summary>
    /// <value>The default is <see langword="null"/> (none).</value>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Gets how many times a request is tried when it fails transiently (connection error, timeout, 5xx, 408, 429).</summary>
    /// <value>The default is 6; from 1.</value>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>Gets the wait before the first retry; it doubles with each retry up to <see cref="MaxBackoff"/>; a <c>Retry-After</c> replaces it.</summary>
    /// <value>The default is 200 milliseconds.</value>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets the longest wait between two tries.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the time limit of one request.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the store the committed cursor is kept in, or <see langword="null"/> to start from the first page on every run.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public ICheckpointStore? CheckpointStore { get; init; }

    /// <summary>Gets the key of the cursor in <see cref="CheckpointStore"/>, or <see langword="null"/> for <c>http-poll:</c> and the URL's host and path.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? CheckpointKey { get; init; }

    /// <summary>Gets the clock of the polling interval, the retries and record timestamps.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the secrets these options hold, for scrubbing.</summary>
    internal IReadOnlyList<string> Secrets => Authentication?.Secrets ?? [];

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per problem, naming the option; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return "HttpPollingSourceOptions.Url must be an absolute http:// or https:// URL.";
        }

        if (PageSize < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"HttpPollingSourceOptions.PageSize must be at least 1 (was {PageSize}).");
        }

        if (MaxAttempts < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"HttpPollingSourceOptions.MaxAttempts must be at least 1 (was {MaxAttempts}).");
        }

        if (Interval < TimeSpan.Zero || InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff || RequestTimeout <= TimeSpan.Zero)
        {
            yield return "HttpPollingSourceOptions.Interval, InitialBackoff and MaxBackoff must not be negative, MaxBackoff not below InitialBackoff, RequestTimeout positive.";
        }

        if (string.IsNullOrWhiteSpace(CursorPath) || string.IsNullOrWhiteSpace(CursorParameter) || string.IsNullOrWhiteSpace(PageParameter))
        {
            yield return "HttpPollingSourceOptions.CursorPath, CursorParameter and PageParameter must not be empty.";
        }

        foreach (var problem in Authentication?.Validate() ?? [])
        {
            yield return problem;
        }
    }

    /// <summary>Prints the options without the secrets (records print every property by default).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Url = {HttpErrors.Scrub(Url, Secrets)}, Pagination = {Pagination}, RecordsPath = {RecordsPath}, Interval = {Interval}, Authentication = {Authentication?.ToString() ?? "none"}");
        return true;
    }
}

/// <summary>How an endpoint read by an <see cref="HttpPollingSource"/> pages.</summary>
public enum HttpPagination
{
    /// <summary>One request returns everything; records added at its end are read by the next poll.</summary>
    None,

    /// <summary>Each page names the next page's cursor (<see cref="HttpPollingSourceOptions.CursorPath"/>), sent back as a query parameter.</summary>
    Cursor,

    /// <summary>Pages are numbered (<see cref="HttpPollingSourceOptions.PageParameter"/>), from <see cref="HttpPollingSourceOptions.FirstPage"/>.</summary>
    PageNumber,

    /// <summary>The next page's URL is in the <c>Link</c> header (<c>rel="next"</c>), as GitHub's API does.</summary>
    LinkHeader,
}
