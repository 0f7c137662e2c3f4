using System.Globalization;
using System.Text;

namespace DataWeaver.Http;

/// <summary>
/// OAuth2 client credentials (RFC 6749, section 4.4) for the client connectors (<see cref="HttpSink"/>,
/// <see cref="HttpPollingSource"/>): an access token is fetched from <see cref="TokenUrl"/> with the client's id and secret
/// (HTTP Basic authentication), sent as <c>Authorization: Bearer</c>, kept until shortly before it expires, and fetched again
/// when the server answers 401 to it. The client secret and the tokens are secrets: never printed.
/// </summary>
public sealed record HttpOAuth2ClientCredentials
{
    /// <summary>Gets the token endpoint's URL.</summary>
    public required string TokenUrl { get; init; }

    /// <summary>Gets the client id.</summary>
    public required string ClientId { get; init; }

    /// <summary>Gets the client secret. A secret: never printed.</summary>
    public required string ClientSecret { get; init; }

    /// <summary>Gets the scope asked for, or <see langword="null"/> to ask for none (the endpoint's default).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Scope { get; init; }

    /// <summary>Gets how long before its expiry (<c>expires_in</c>) a token is fetched again.</summary>
    /// <value>The default is 30 seconds; not negative. A token without <c>expires_in</c> is kept until a 401.</value>
    public TimeSpan RefreshBefore { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Lists every invalid setting.</summary>
    /// <returns>One message per problem, naming the setting; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        if (!Uri.TryCreate(TokenUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return $"HttpOAuth2ClientCredentials.TokenUrl must be an http:// or https:// URL (was '{TokenUrl}').";
        }

        if (string.IsNullOrEmpty(ClientId))
        {
            yield return "HttpOAuth2ClientCredentials.ClientId must not be empty.";
        }

        if (string.IsNullOrEmpty(ClientSecret))
        {
            yield return "HttpOAuth2ClientCredentials.ClientSecret must not be empty.";
        }

        if (RefreshBefore < TimeSpan.Zero)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"HttpOAuth2ClientCredentials.RefreshBefore must not be negative (was {RefreshBefore}).");
        }
    }

    /// <summary>Describes the settings without the secret.</summary>
    /// <returns>For example <c>OAuth2 client credentials of client-1 from https://auth/token</c>.</returns>
    public override string ToString() => $"OAuth2 client credentials of {ClientId} from {TokenUrl}";

    /// <summary>Prints the settings without the secret (records print every property by default).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(this.ToString());
        return true;
    }
}
