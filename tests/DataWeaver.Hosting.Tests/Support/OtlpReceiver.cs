using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace DataWeaver.Hosting.Tests.Support;

/// <summary>A stand-in OpenTelemetry collector: accepts OTLP/HTTP posts on a free local port and keeps their bodies.</summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _posts = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Endpoint = new Uri($"http://127.0.0.1:{port}/v1/metrics");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ReceiveAsync);
    }

    public Uri Endpoint { get; }

    public IReadOnlyList<(string Path, byte[] Body)> Posts => [.. _posts];

    public void Dispose()
    {
        _listener.Close();
        _ = _loop.ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _posts.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}
