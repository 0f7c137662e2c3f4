using System.Collections.Concurrent;
using DataWeaver.Tracing.Tests.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Tracing.Tests.Support;

/// <summary>
/// A stand-in OpenTelemetry collector: a Kestrel endpoint on a free loopback port that accepts OTLP/HTTP posts on
/// <c>/v1/traces</c>, decodes each body as an <c>ExportTraceServiceRequest</c> (protobuf) and keeps it with its content type.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string? ContentType, ExportTraceServiceRequest Request)> _posts = new();

    private OtlpTraceReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Gets the collector's base address (no path: the exporter adds /v1/traces).</summary>
    public Uri Endpoint => new(_app.Urls.Single());

    public IReadOnlyList<(string? ContentType, ExportTraceServiceRequest Request)> Posts => [.. _posts];

    /// <summary>Every span received, with its scope's name.</summary>
    public IReadOnlyList<(string Scope, Span Span)> Spans =>
        [.. Posts.SelectMany(p => p.Request.ResourceSpans).SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans.Select(span => (s.Scope.Name, span)))];

    public static async Task<OtlpTraceReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpTraceReceiver(app);
        app.MapPost("/v1/traces", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            receiver._posts.Enqueue((http.Request.ContentType, ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray())));
            http.Response.ContentType = "application/x-protobuf";
            await http.Response.Body.WriteAsync(Array.Empty<byte>()); // an empty ExportTraceServiceResponse
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
