using Microsoft.AspNetCore.Http;

namespace DataWeaver.Operations.WebView;

/// <summary>The live web view (WebView/index.html, embedded): one static page that polls the management API.</summary>
internal static class WebViewPage
{
    private const string Policy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Lazy<byte[]> Content = new(static () =>
    {
        using var stream = typeof(WebViewPage).Assembly.GetManifestResourceStream("DataWeaver.Operations.WebView.index.html")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static IResult Get(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        return Results.Bytes(Content.Value, "text/html; charset=utf-8");
    }
}
