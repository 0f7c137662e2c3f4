using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DataWeaver.Errors;

namespace DataWeaver.Http.Internal;

/// <summary>
/// Puts an OAuth2 access token (client credentials grant) on every request: fetched once and shared by the requests in flight,
/// kept until <see cref="HttpOAuth2ClientCredentials.RefreshBefore"/> its expiry, and fetched again when a request is answered
/// 401 with it (the request is then sent once more with the new token).
/// </summary>
/// <remarks>
/// A token endpoint that cannot be reached, or answers 5xx, 408 or 429, fails the request as a connection problem (the caller
/// retries it); one that refuses the credentials (another 4xx) fails it as <see cref="ErrorClass.Fatal"/>: a configuration to fix.
/// </remarks>
internal sealed class OAuth2Handler(HttpMessageHandler inner, HttpOAuth2ClientCredentials credentials, TimeProvider time) : DelegatingHandler(inner)
{
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private readonly Uri _tokenUrl = new(credentials.TokenUrl);
    private Token? _token;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(null, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // Revoked or expired early: one more try with a new token. A second 401 is the server's answer.
        response.Dispose();
        token = await GetTokenAsync(token, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fetching.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Returns the current token, fetching a new one when there is none, it is about to expire, or it is <paramref name="refused"/>.</summary>
    private async Task<string> GetTokenAsync(string? refused, CancellationToken cancellationToken)
    {
        if (Usable(Volatile.Read(ref _token), refused) is { } current)
        {
            return current;
        }

        await _fetching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Usable(_token, refused) is { } fetchedMeanwhile)
            {
                return fetchedMeanwhile;
            }

            var token = await FetchAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _token, token);
            return token.Value;
        }
        finally
        {
            _fetching.Release();
        }
    }

    private string? Usable(Token? token, string? refused) =>
        token is not null && token.Value != refused && (token.RefreshAt is not { } at || time.GetUtcNow() < at) ? token.Value : null;

    private async Task<Token> FetchAsync(CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (credentials.Scope is { Length: > 0 } scope)
        {
            form.Add(new("scope", scope));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _tokenUrl) { Content = new FormUrlEncodedContent(form) };
        var basic = Uri.EscapeDataString(credentials.ClientId) + ":" + Uri.EscapeDataString(credentials.ClientSecret);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var asked = time.GetUtcNow();
        using var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (HttpErrors.IsTransient(response.StatusCode))
        {
            throw new HttpRequestException(Scrub(string.Create(CultureInfo.InvariantCulture, $"The OAuth2 token endpoint {_tokenUrl} answered {status} {response.ReasonPhrase}.")), null, response.StatusCode);
        }

        if (status is < 200 or >= 300)
        {
            throw new DataWeaverException(ErrorClass.Fatal, Scrub(string.Create(CultureInfo.InvariantCulture, $"The OAuth2 token endpoint {_tokenUrl} refused the client credentials of '{credentials.ClientId}' with {status} {response.ReasonPhrase}: {Excerpt(body)}")));
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (!root.TryGetProperty("access_token", out var access) || access.ValueKind != JsonValueKind.String || access.GetString() is not { Length: > 0 } value)
            {
                throw new JsonException("no access_token");
            }

            if (root.TryGetProperty("token_type", out var type) && type.ValueKind == JsonValueKind.String && !string.Equals(type.GetString(), "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                throw new JsonException($"token_type '{type.GetString()}' is not Bearer");
            }

            DateTimeOffset? refreshAt = root.TryGetProperty("expires_in", out var expires) && expires.TryGetDouble(out var seconds)
                ? asked + TimeSpan.FromSeconds(seconds) - credentials.RefreshBefore
                : null;
            return new Token(value, refreshAt);
        }
        catch (JsonException error)
        {
            throw new DataWeaverException(ErrorClass.Fatal, Scrub($"The OAuth2 token endpoint {_tokenUrl} answered something that is not a bearer token: {error.Message}"));
        }
    }

    private string Scrub(string text) => HttpErrors.Scrub(text, [credentials.ClientSecret]);

    private static string Excerpt(byte[] body) => Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 512)).Trim();

    /// <summary>An access token and when to fetch the next one (<see langword="null"/>: until a 401).</summary>
    private sealed record Token(string Value, DateTimeOffset? RefreshAt);
}
