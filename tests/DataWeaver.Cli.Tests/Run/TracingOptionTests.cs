using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Run;

/// <summary><c>dataweaver run --otlp-endpoint URL --trace-sample-ratio R</c>: the run's traces over OTLP/HTTP (docs/tracing.md).</summary>
public sealed class TracingOptionTests : IDisposable
{
    private const string Finite = """
        version: 1
        pipelines:
          - name: traced
            source:
              type: generator
              settings: { count: 3000, fields: { id: "{n}" } }
            sinks:
              - { type: discard }
        """;

    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Run_OtlpEndpointRatioOne_PostsTheRunsSpansAsProtobufBeforeItExits()
    {
        using var collector = new OtlpPosts();
        File.WriteAllText(Path.Combine(_folder.Path, "pipeline.yaml"), Finite);
        var cli = new InProcessCli { WorkingDirectory = _folder.Path };

        var result = await cli.RunAsync("run", "pipeline.yaml", "--otlp-endpoint", collector.BaseAddress, "--trace-sample-ratio", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"traces to {collector.BaseAddress}v1/traces (OTLP/HTTP), new traces sampled at 1", result.Error, StringComparison.Ordinal);
        var posts = collector.Posts;
        Assert.NotEmpty(posts);
        Assert.All(posts, p =>
        {
            Assert.Equal("/v1/traces", p.Path);
            Assert.Equal("application/x-protobuf", p.ContentType);
        });
        var bodies = string.Join("\n", posts.Select(p => Encoding.UTF8.GetString(p.Body))); // protobuf strings travel as UTF-8
        Assert.Contains("traced batch", bodies, StringComparison.Ordinal);
        Assert.Contains("discard write", bodies, StringComparison.Ordinal);
        Assert.Contains("DataWeaver", bodies, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TraceSampleRatioAboveOne_ExitsWithInvalidInputAndRunsNothing()
    {
        File.WriteAllText(Path.Combine(_folder.Path, "pipeline.yaml"), Finite);
        var cli = new InProcessCli { WorkingDirectory = _folder.Path };

        var result = await cli.RunAsync("run", "pipeline.yaml", "--otlp-endpoint", "http://127.0.0.1:4318", "--trace-sample-ratio", "1.5");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("SampleRatio must be between 0 and 1", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("traced", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>A stand-in collector: keeps the path, content type and body of every post on a free loopback port.</summary>
    private sealed class OtlpPosts : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> _posts = new();

        public OtlpPosts()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseAddress = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(BaseAddress);
            _listener.Start();
            _ = Task.Run(ReceiveAsync);
        }

        public string BaseAddress { get; }

        public IReadOnlyList<(string Path, string? ContentType, byte[] Body)> Posts => [.. _posts];

        public void Dispose() => _listener.Close();

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
                _posts.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }
    }
}
