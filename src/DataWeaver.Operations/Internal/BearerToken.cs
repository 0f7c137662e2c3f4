using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DataWeaver.Operations.Internal;

/// <summary>
/// Checks an <c>Authorization: Bearer</c> header against the configured token: both are hashed and the hashes compared
/// in constant time, so neither the token nor its length leaks through timing. The token is never logged or echoed.
/// </summary>
internal sealed class BearerToken
{
    private readonly byte[]? _expected;

    public BearerToken(string? token)
    {
        _expected = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>Gets whether a request may pass: no token is configured, or it carries the right one.</summary>
    public bool Allows(HttpContext context)
    {
        if (_expected is null)
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, _expected);
    }

    /// <summary>The 401 answer, as problem details, with the challenge header.</summary>
    public static IResult Challenge(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Unauthorized();
    }

    /// <summary>An endpoint filter that lets only authorized requests through.</summary>
    public EndpointFilterDelegate Filter(EndpointFilterFactoryContext factory, EndpointFilterDelegate next) =>
        invocation => Allows(invocation.HttpContext) ? next(invocation) : ValueTask.FromResult<object?>(Challenge(invocation.HttpContext));
}
