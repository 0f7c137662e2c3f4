using System.Globalization;
using DataWeaver.Checkpoints;
using DataWeaver.Configuration;
using DataWeaver.Http.Enrichment;

namespace DataWeaver.Http.Configuration;

/// <summary>Adds HTTP to pipeline definition files: the <c>http</c> source (a server clients POST to) and sink (a client).</summary>
public static class HttpConnectorRegistryExtensions
{
    /// <summary>The connector type name in definition files.</summary>
    public const string TypeName = "http";

    /// <summary>The polling source's type name in definition files.</summary>
    public const string PollingTypeName = "http-poll";

    private static readonly HttpServerSourceOptions SourceDefaults = new();
    private static readonly HttpSinkOptions SinkDefaults = new() { Url = "http://localhost/" };

    private static readonly SettingDescriptor[] AuthenticationSettings =
    [
        new("bearerToken", SettingType.String) { Secret = true, Description = "The bearer token (a secret: write it as ${secret:NAME} or ${env:NAME}); never printed." },
        new("apiKey", SettingType.String) { Secret = true, Description = "The API key (a secret); never printed." },
        new("apiKeyHeader", SettingType.String) { Default = HttpAuthentication.DefaultApiKeyHeader, Description = "The header the API key goes in." },
    ];

    private static readonly SettingDescriptor[] ClientAuthenticationSettings =
    [
        .. AuthenticationSettings,
        new("oauth2TokenUrl", SettingType.String) { Description = "OAuth2 client credentials: the token endpoint; the token is fetched, kept until shortly before it expires, and fetched again on a 401." },
        new("oauth2ClientId", SettingType.String) { Description = "OAuth2 client credentials: the client id." },
        new("oauth2ClientSecret", SettingType.String) { Secret = true, Description = "OAuth2 client credentials: the client secret (a secret); never printed." },
        new("oauth2Scope", SettingType.String) { Description = "OAuth2 client credentials: the scope asked for (none by default)." },
    ];

    /// <summary>
    /// Registers the <c>http</c> source (<see cref="HttpServerSource"/>: a Kestrel server on <c>listen</c> answering each POST once
    /// its records are committed), the <c>http</c> sink (<see cref="HttpSink"/>: batched POST or PUT to <c>url</c> with retries) and
    /// the <c>http-poll</c> source (<see cref="HttpPollingSource"/>: GET a REST endpoint page by page on an interval, the cursor
    /// checkpointed in <c>checkpointDirectory</c>). See docs/http.md.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    public static ConnectorRegistry AddHttp(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterPayloadSource(TypeName, context => new HttpServerSource(SourceOptions(context), context.Name), new ConnectorDescriptor
            {
                Description = "An HTTP server: clients POST JSON (one document or an array) or NDJSON; a request is answered 200 once its records are committed.",
                Settings =
                [
                    new("listen", SettingType.String) { Default = HttpServerSourceOptions.DefaultListen, Description = "The http:// or https:// address to listen on (port 0 picks a free one)." },
                    new("path", SettingType.String) { Default = "/", Description = "The path clients POST to." },
                    new("maxInFlightRecords", SettingType.Integer) { Minimum = 1, Default = HttpServerSourceOptions.DefaultMaxInFlightRecords.ToString(CultureInfo.InvariantCulture), Description = "The most records accepted and not yet committed; past it requests get 429 (or 503) with Retry-After." },
                    new("maxBodyBytes", SettingType.Size) { Minimum = 1, Default = "4MiB", Description = "A larger body gets 413." },
                    new("respond", SettingType.String) { AllowedValues = ["committed", "accepted"], Default = "committed", Description = "Answer 200 once the records are committed, or 202 once accepted." },
                    new("malformed", SettingType.String) { AllowedValues = ["refuse", "dead-letter"], Default = "refuse", Description = "A malformed body gets 400 naming the position, or goes to the error policy." },
                    new("overloadStatus", SettingType.Integer) { Minimum = 429, Maximum = 503, Default = "429", Description = "The status of a request refused at the in-flight bound." },
                    new("retryAfter", SettingType.Duration) { Default = "1s", Description = "The Retry-After of a refused request." },
                    new("certificate", SettingType.Path) { Description = "The server certificate (PKCS#12) of an https:// address." },
                    new("certificatePassword", SettingType.String) { Secret = true, Description = "The certificate file's password (a secret)." },
                    .. AuthenticationSettings,
                ],
            })
            .RegisterPayloadSink(TypeName, context => new HttpSink(SinkOptions(context), context.Name), new ConnectorDescriptor
            {
                Description = "Sends records to an HTTP endpoint (JSON array, NDJSON or one request per record) with retries; other 4xx answers are data errors.",
                Settings =
                [
                    new("url", SettingType.String) { Required = true, Description = "The URL requests go to; {field}, {path.to.field} or {$key} are filled from each record (URL-escaped)." },
                    new("method", SettingType.String) { AllowedValues = ["POST", "PUT"], Default = "POST", Description = "The request method." },
                    new("body", SettingType.String) { AllowedValues = ["json-array", "ndjson", "per-record"], Default = "json-array", Description = "How records are packed into requests." },
                    new("maxBatchRecords", SettingType.Integer) { Minimum = 1, Default = SinkDefaults.MaxBatchRecords.ToString(CultureInfo.InvariantCulture), Description = "The most records in one request." },
                    new("maxConcurrency", SettingType.Integer) { Minimum = 1, Default = SinkDefaults.MaxConcurrency.ToString(CultureInfo.InvariantCulture), Description = "The most requests in flight at once." },
                    new("headers", SettingType.Mapping) { Description = "Extra request headers (not secrets); values may hold {field} placeholders filled from each record." },
                    new("maxAttempts", SettingType.Integer) { Minimum = 1, Default = SinkDefaults.MaxAttempts.ToString(CultureInfo.InvariantCulture), Description = "Tries of a request that fails transiently (connection, timeout, 5xx, 408, 429)." },
                    new("initialBackoff", SettingType.Duration) { Default = "200ms", Description = "The wait before the first retry; doubles each time." },
                    new("maxBackoff", SettingType.Duration) { Default = "30s", Description = "The longest wait between tries, Retry-After included." },
                    new("requestTimeout", SettingType.Duration) { Default = "30s", Description = "The time limit of one request." },
                    new("trustedCa", SettingType.Path) { Description = "A CA certificate file (PEM or DER) trusted for https:// besides the system's." },
                    .. ClientAuthenticationSettings,
                ],
            })
            .RegisterAsyncEnrichment(TypeName, context => new HttpEnrichment(EnrichmentOptions(context)).EnrichAsync, new ConnectorDescriptor
            {
                Description = "An HTTP call per record (enrich: { http: {...} }): GET (or POST the record) to url filled from the record's fields; the JSON answer goes into the field into. Transient failures (connection, timeout, 5xx, 408, 429) are retried by the pipeline's errors.retry; other 4xx are data errors.",
                Settings =
                [
                    new("url", SettingType.String) { Required = true, Description = "The URL; {field} or {path.to.field} are filled from each record (URL-escaped)." },
                    new("method", SettingType.String) { AllowedValues = ["GET", "POST"], Default = "GET", Description = "GET, or POST with the record as the JSON body." },
                    new("timeout", SettingType.Duration) { Default = "10s", Description = "The time limit of one call; past it the call fails transiently (retried)." },
                    new("into", SettingType.String) { Default = "response", Description = "The field the JSON answer is written to (replacing one of that name)." },
                    new("notFound", SettingType.String) { AllowedValues = ["error", "absent"], Default = "error", Description = "A 404 is a data error (to the error policy), or leaves the record without the into field." },
                    new("headers", SettingType.Mapping) { Description = "Request headers; values may be secrets (${secret:NAME}), never logged." },
                    new("trustedCa", SettingType.Path) { Description = "A CA certificate file (PEM or DER) trusted for https:// besides the system's." },
                    .. ClientAuthenticationSettings,
                ],
                Validate = settings => HttpEnrichment.Validate(settings.GetString("url") ?? "http://x/", settings.GetString("method", "GET")!)
                    .Select(problem => problem.Split(": ", 2) is [var setting, var message]
                        ? ConfigurationError.At(settings.Get(setting) ?? settings.Value, message, ConfigurationErrorCode.InvalidValue)
                        : ConfigurationError.At(settings.Value, problem, ConfigurationErrorCode.InvalidValue)),
            })
            .RegisterPayloadSource(PollingTypeName, context => new HttpPollingSource(PollingOptions(context), context.Name), new ConnectorDescriptor
            {
                Description = "GETs a REST endpoint page by page (cursor, page number or Link header) and polls it again on an interval; the cursor is checkpointed.",
                Settings =
                [
                    new("url", SettingType.String) { Required = true, Description = "The URL of the first page." },
                    new("pagination", SettingType.String) { AllowedValues = ["none", "cursor", "page", "link"], Default = "none", Description = "How the endpoint pages." },
                    new("recordsPath", SettingType.String) { Default = "the page is the array", Description = "The dotted path of the array of records in a page." },
                    new("cursorPath", SettingType.String) { Default = "next", Description = "The dotted path of the next cursor in a page (pagination: cursor)." },
                    new("cursorParameter", SettingType.String) { Default = "cursor", Description = "The query parameter the cursor is sent in." },
                    new("pageParameter", SettingType.String) { Default = "page", Description = "The query parameter the page number is sent in (pagination: page)." },
                    new("firstPage", SettingType.Integer) { Default = "1", Description = "The first page's number." },
                    new("pageSize", SettingType.Integer) { Minimum = 1, Default = "100", Description = "The records of a full page (pagination: page)." },
                    new("interval", SettingType.Duration) { Default = "30s", Description = "The wait before polling again once the last page was read." },
                    new("checkpointDirectory", SettingType.Path) { Default = "none", Description = "Keep the committed cursor in this folder and resume from it." },
                    new("headers", SettingType.Mapping) { Description = "Extra request headers (not secrets)." },
                    new("maxAttempts", SettingType.Integer) { Minimum = 1, Default = "6", Description = "Tries of a request that fails transiently." },
                    new("requestTimeout", SettingType.Duration) { Default = "30s", Description = "The time limit of one request." },
                    .. ClientAuthenticationSettings,
                ],
            });
    }

    private static HttpEnrichmentOptions EnrichmentOptions(TransformContext context)
    {
        var settings = context.Settings;
        var headers = settings.GetSection("headers").ToFlatDictionary();
        return new HttpEnrichmentOptions
        {
            Url = settings.GetRequiredString("url"),
            Method = settings.GetString("method", "GET")!,
            Timeout = settings.GetDuration("timeout", TimeSpan.FromSeconds(10)),
            Into = settings.GetString("into", "response")!,
            NotFound = settings.GetString("notFound", "error") == "absent" ? HttpNotFound.Absent : HttpNotFound.Error,
            Headers = headers.Count == 0 ? null : headers,
            Authentication = Authentication(settings),
            TrustedCaPath = settings.GetPath("trustedCa"),
            TimeProvider = context.TimeProvider,
        };
    }

    private static HttpPollingSourceOptions PollingOptions(ConnectorContext context)
    {
        var settings = context.Settings;
        var checkpoints = settings.GetPath("checkpointDirectory");
        var headers = settings.GetSection("headers").ToFlatDictionary();
        var defaults = new HttpPollingSourceOptions { Url = "http://localhost/" };
        return new HttpPollingSourceOptions
        {
            Url = settings.GetRequiredString("url"),
            Pagination = settings.GetString("pagination", "none") switch
            {
                "cursor" => HttpPagination.Cursor,
                "page" => HttpPagination.PageNumber,
                "link" => HttpPagination.LinkHeader,
                _ => HttpPagination.None,
            },
            RecordsPath = settings.GetString("recordsPath"),
            CursorPath = settings.GetString("cursorPath", defaults.CursorPath)!,
            CursorParameter = settings.GetString("cursorParameter", defaults.CursorParameter)!,
            PageParameter = settings.GetString("pageParameter", defaults.PageParameter)!,
            FirstPage = settings.GetInt64("firstPage", defaults.FirstPage),
            PageSize = settings.GetInt32("pageSize", defaults.PageSize),
            Interval = settings.GetDuration("interval", defaults.Interval),
            Headers = headers.Count == 0 ? null : headers,
            MaxAttempts = settings.GetInt32("maxAttempts", defaults.MaxAttempts),
            RequestTimeout = settings.GetDuration("requestTimeout", defaults.RequestTimeout),
            Authentication = Authentication(settings),
            CheckpointStore = checkpoints is null ? null : new FileCheckpointStore(checkpoints, new FileCheckpointStoreOptions { TimeProvider = context.TimeProvider }),
            CheckpointKey = "http-poll:" + context.PipelineName + ":" + context.Name,
            TimeProvider = context.TimeProvider,
        };
    }

    private static HttpAuthentication? Authentication(ConnectorSettings settings)
    {
        var token = settings.GetString("bearerToken");
        var key = settings.GetString("apiKey");
        var tokenUrl = settings.GetString("oauth2TokenUrl");
        return token is null && key is null && tokenUrl is null ? null : new HttpAuthentication
        {
            BearerToken = token,
            ApiKey = key,
            ApiKeyHeader = settings.GetString("apiKeyHeader", HttpAuthentication.DefaultApiKeyHeader)!,
            OAuth2 = tokenUrl is null ? null : new HttpOAuth2ClientCredentials
            {
                TokenUrl = tokenUrl,
                ClientId = settings.GetString("oauth2ClientId") ?? "",
                ClientSecret = settings.GetString("oauth2ClientSecret") ?? "",
                Scope = settings.GetString("oauth2Scope"),
            },
        };
    }

    private static HttpServerSourceOptions SourceOptions(ConnectorContext context)
    {
        var settings = context.Settings;
        return new HttpServerSourceOptions
        {
            Listen = settings.GetString("listen", SourceDefaults.Listen)!,
            Path = settings.GetString("path", SourceDefaults.Path)!,
            MaxInFlightRecords = settings.GetInt32("maxInFlightRecords", SourceDefaults.MaxInFlightRecords),
            MaxBodyBytes = settings.GetSize("maxBodyBytes", SourceDefaults.MaxBodyBytes),
            Respond = settings.GetString("respond", "committed") == "accepted" ? HttpResponseMode.Accepted : HttpResponseMode.Committed,
            Malformed = settings.GetString("malformed", "refuse") == "dead-letter" ? HttpMalformedAction.DeadLetter : HttpMalformedAction.Refuse,
            OverloadStatusCode = settings.GetInt32("overloadStatus", SourceDefaults.OverloadStatusCode),
            RetryAfter = settings.GetDuration("retryAfter", SourceDefaults.RetryAfter),
            CertificatePath = settings.GetPath("certificate"),
            CertificatePassword = settings.GetString("certificatePassword"),
            Authentication = Authentication(settings),
            TimeProvider = context.TimeProvider,
        };
    }

    private static HttpSinkOptions SinkOptions(ConnectorContext context)
    {
        var settings = context.Settings;
        var headers = settings.GetSection("headers").ToFlatDictionary();
        return new HttpSinkOptions
        {
            Url = settings.GetRequiredString("url"),
            Method = settings.GetString("method", SinkDefaults.Method)!,
            Body = settings.GetString("body", "json-array") switch
            {
                "ndjson" => HttpSinkBody.Ndjson,
                "per-record" => HttpSinkBody.PerRecord,
                _ => HttpSinkBody.JsonArray,
            },
            MaxBatchRecords = settings.GetInt32("maxBatchRecords", SinkDefaults.MaxBatchRecords),
            MaxConcurrency = settings.GetInt32("maxConcurrency", SinkDefaults.MaxConcurrency),
            Headers = headers.Count == 0 ? null : headers,
            MaxAttempts = settings.GetInt32("maxAttempts", SinkDefaults.MaxAttempts),
            InitialBackoff = settings.GetDuration("initialBackoff", SinkDefaults.InitialBackoff),
            MaxBackoff = settings.GetDuration("maxBackoff", SinkDefaults.MaxBackoff),
            RequestTimeout = settings.GetDuration("requestTimeout", SinkDefaults.RequestTimeout),
            TrustedCaPath = settings.GetPath("trustedCa"),
            Authentication = Authentication(settings),
            TimeProvider = context.TimeProvider,
        };
    }
}
