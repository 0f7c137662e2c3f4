using System.Globalization;
using System.Text;

namespace DataWeaver.Http;

/// <summary>
/// How requests authenticate: a bearer token (<c>Authorization: Bearer TOKEN</c>), or for the client connectors one fetched
/// with OAuth2 client credentials (<see cref="OAuth2"/>), and/or an API key in a header. Tokens, keys and client secrets are
/// secrets: they never appear in logs, errors, dead letters, responses or <see cref="ToString"/>.
/// </summary>
public sealed record HttpAuthentication
{
    /// <summary>The header an API key goes in by default.</summary>
    public const string DefaultApiKeyHeader = "X-Api-Key";

    /// <summary>Gets the bearer token, or <see langword="null"/> for none.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? BearerToken { get; init; }

    /// <summary>Gets the API key, or <see langword="null"/> for none.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? ApiKey { get; init; }

    /// <summary>Gets the header the API key goes in.</summary>
    /// <value>The default is <c>X-Api-Key</c>.</value>
    public string ApiKeyHeader { get; init; } = DefaultApiKeyHeader;

    /// <summary>
    /// Gets OAuth2 client credentials: the client connectors fetch a token and send it as a bearer token (instead of
    /// <see cref="BearerToken"/>); <see langword="null"/> for none. Not for the server source.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public HttpOAuth2ClientCredentials? OAuth2 { get; init; }

    /// <summary>Gets the secrets these settings hold, for scrubbing.</summary>
    internal IReadOnlyList<string> Secrets => [.. new[] { BearerToken, ApiKey, OAuth2?.ClientSecret }.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!)];

    /// <summary>Lists every invalid setting.</summary>
    /// <returns>One message per problem, naming the setting; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        if (BearerToken is { Length: 0 } || BearerToken is not null && BearerToken.Any(char.IsWhiteSpace))
        {
            yield return "HttpAuthentication.BearerToken must not be empty nor hold white space.";
        }

        if (ApiKey is { Length: 0 })
        {
            yield return "HttpAuthentication.ApiKey must not be empty.";
        }

        if (string.IsNullOrWhiteSpace(ApiKeyHeader))
        {
            yield return "HttpAuthentication.ApiKeyHeader must not be empty.";
        }

        if (OAuth2 is not null && BearerToken is not null)
        {
            yield return "HttpAuthentication.BearerToken and HttpAuthentication.OAuth2 exclude each other: the token comes from one of them.";
        }

        foreach (var problem in OAuth2?.Validate() ?? [])
        {
            yield return problem;
        }
    }

    /// <summary>Describes the settings without the secrets.</summary>
    /// <returns>For example <c>bearer token, API key in X-Api-Key</c>.</returns>
    public override string ToString()
    {
        var parts = new List<string>(3);
        if (BearerToken is not null)
        {
            parts.Add("bearer token");
        }

        if (OAuth2 is not null)
        {
            parts.Add(OAuth2.ToString());
        }

        if (ApiKey is not null)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"API key in {ApiKeyHeader}"));
        }

        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    /// <summary>Prints the settings without the secrets (records print every property by default).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(this.ToString());
        return true;
    }
}
