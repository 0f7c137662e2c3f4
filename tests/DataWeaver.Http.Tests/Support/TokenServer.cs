using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Http.Tests.Support;

/// <summary>
/// A real OAuth2 token endpoint (client credentials grant, client authenticated with HTTP Basic) on Kestrel: issues tokens
/// <c>tok-N-PREFIX</c> in turn; <see cref="Revoke"/> makes the current one invalid for the resource server.
/// </summary>
internal sealed class TokenServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _clientId;
    private readonly string _clientSecret;
    private int _issued;
    private volatile string? _current;

    private TokenServer(WebApplication app, string clientId, string clientSecret)
    {
        _app = app;
        _clientId = clientId;
        _clientSecret = clientSecret;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Gets how many tokens were issued.</summary>
    public int Issued => Volatile.Read(ref _issued);

    /// <summary>Gets how many token requests were refused (wrong credentials or grant).</summary>
    public int Refused { get; private set; }

    /// <summary>Gets or sets the <c>expires_in</c> of the tokens issued, or null to send none.</summary>
    public int? ExpiresIn { get; set; } = 3600;

    /// <summary>Gets the scope of the last token request.</summary>
    public string? LastScope { get; private set; }

    public static async Task<TokenServer> StartAsync(string clientId, string clientSecret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new TokenServer(app, clientId, clientSecret);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First() + "/oauth/token");
        return server;
    }

    /// <summary>Whether a resource server should take a request with this Authorization header.</summary>
    public bool Accepts(string? authorization) => _current is { } token && authorization == "Bearer " + token;

    /// <summary>The current token is no longer accepted (revoked, or expired early).</summary>
    public void Revoke() => _current = null;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(_clientId) + ":" + Uri.EscapeDataString(_clientSecret)));
        if (http.Request.Headers.Authorization != expected || form["grant_type"] != "client_credentials")
        {
            Refused++;
            http.Response.StatusCode = 401;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("""{"error":"invalid_client"}""");
            return;
        }

        LastScope = form["scope"];
        var token = "tok-" + Interlocked.Increment(ref _issued).ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N");
        _current = token;
        http.Response.ContentType = "application/json";
        var expires = ExpiresIn is { } seconds ? ",\"expires_in\":" + seconds.ToString(CultureInfo.InvariantCulture) : "";
        await http.Response.WriteAsync("{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\"" + expires + "}");
    }
}
