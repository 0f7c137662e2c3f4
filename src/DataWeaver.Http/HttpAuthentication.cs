using System.Globalization;
using System.Text;

namespace DataWeaver.Http;

/// <summary>
/// How requests authenticate: a bearer token (<c>Authorization: Bearer TOKEN</c>) and/or an API key in a header. Both are
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

    /// <summary>Gets the secrets these settings hold, for scrubbing.</summary>
    internal IReadOnlyList<string> Secrets => [.. new[] { BearerToken, ApiKey }.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!)];

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
    }

    /// <summary>Describes the settings without the secrets.</summary>
    /// <returns>For example <c>bearer token, API key in X-Api-Key</c>.</returns>
    public override string ToString() =>
        (BearerToken, ApiKey) switch
        {
            (null, null) => "none",
            (not null, null) => "bearer token",
            (null, not null) => string.Create(CultureInfo.InvariantCulture, $"API key in {ApiKeyHeader}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"bearer token, API key in {ApiKeyHeader}"),
        };

    /// <summary>Prints the settings without the secrets (records print every property by default).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(this.ToString());
        return true;
    }
}
