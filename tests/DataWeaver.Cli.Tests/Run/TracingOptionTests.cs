using System.Text;
using DataWeaver.Cli.Tests.Infrastructure;
using DataWeaver.Hosting.Tests.Support;

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
        using var collector = new OtlpReceiver(); // the Hosting tests' stand-in collector: keeps the path and body of every post
        var address = new Uri(collector.Endpoint, "/").AbsoluteUri;
        File.WriteAllText(Path.Combine(_folder.Path, "pipeline.yaml"), Finite);
        var cli = new InProcessCli { WorkingDirectory = _folder.Path };

        var result = await cli.RunAsync("run", "pipeline.yaml", "--otlp-endpoint", address, "--trace-sample-ratio", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"traces to {address}v1/traces (OTLP/HTTP), new traces sampled at 1", result.Error, StringComparison.Ordinal);
        var posts = collector.Posts;
        Assert.NotEmpty(posts);
        Assert.All(posts, p => Assert.Equal("/v1/traces", p.Path));
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
}
