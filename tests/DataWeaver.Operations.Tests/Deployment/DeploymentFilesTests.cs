using System.Globalization;
using System.Text.RegularExpressions;
using DataWeaver.Configuration;
using DataWeaver.Kafka.Configuration;
using DataWeaver.Operations.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace DataWeaver.Operations.Tests.Deployment;

/// <summary>
/// ops/docker/Dockerfile and ops/kubernetes/*.yaml agree with each other, with the repository and with the real endpoint.
/// No Docker engine or Kubernetes cluster exists on the test machines: the files are read, not built or applied.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Ops = Path.Combine(AppContext.BaseDirectory, "ops");

    [Fact]
    public void Dockerfile_PublishesTheCliOnTheRepositorysDotnetAndExposesTheEndpointItRuns()
    {
        var docker = Dockerfile();
        var port = int.Parse(docker.Single(i => i.Verb == "EXPOSE").Args, CultureInfo.InvariantCulture);
        var cmd = JsonArray(docker.Single(i => i.Verb == "CMD").Args);
        var entry = JsonArray(docker.Single(i => i.Verb == "ENTRYPOINT").Args);
        var publish = PublishedProject().Match(docker.Single(i => i.Verb == "RUN" && i.Args.Contains("publish", StringComparison.Ordinal)).Args);
        var framework = TargetFramework().Match(File.ReadAllText(Path.Combine(Tool.RepositoryRoot(), "Directory.Build.props"))).Groups["version"].Value;

        Assert.True(publish.Success, "the image publishes a project");
        Assert.True(File.Exists(Path.Combine(Tool.RepositoryRoot(), publish.Groups["project"].Value)), publish.Groups["project"].Value + " exists");
        Assert.Contains("<AssemblyName>dataweaver</AssemblyName>", File.ReadAllText(Path.Combine(Tool.RepositoryRoot(), publish.Groups["project"].Value)), StringComparison.Ordinal);
        Assert.Equal(["dotnet", "/app/dataweaver.dll"], entry);
        Assert.All(docker.Where(i => i.Verb == "FROM"), from => Assert.Contains(":" + framework, from.Args, StringComparison.Ordinal));
        Assert.Equal("SIGTERM", docker.Single(i => i.Verb == "STOPSIGNAL").Args);
        Assert.NotEqual("root", docker.Last(i => i.Verb == "USER").Args);
        Assert.Equal("run", cmd[0]);
        Assert.Equal("0.0.0.0:" + port, Option(cmd, "--http"));
        Assert.Equal(Path.GetDirectoryName(cmd[1]), docker.Single(i => i.Verb == "VOLUME").Args);
    }

    [Fact]
    public void Deployment_ProbesDrainAndGracePeriod_MatchTheEndpointAndTheDrainTimeout()
    {
        var port = int.Parse(Dockerfile().Single(i => i.Verb == "EXPOSE").Args, CultureInfo.InvariantCulture);
        var deployment = Yaml("deployment.yaml");
        var pod = Map(Map(deployment, "spec", "template"), "spec");
        var container = Single(Seq(pod, "containers"));
        var args = Scalars(container, "args");
        var containerPort = Single(Seq(container, "ports"));
        var drain = Duration(Option(args, "--drain-timeout")!);
        var grace = TimeSpan.FromSeconds(int.Parse(Text(pod["terminationGracePeriodSeconds"]), CultureInfo.InvariantCulture));
        var preStop = string.Join(' ', Scalars(Map(container, "lifecycle", "preStop", "exec"), "command"));

        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), Text(containerPort["containerPort"]));
        Assert.Equal("0.0.0.0:" + port, Option(args, "--http"));
        Assert.Equal("/health/live", Text(Map(container, "livenessProbe", "httpGet")["path"]));
        Assert.Equal("/health/ready", Text(Map(container, "readinessProbe", "httpGet")["path"]));
        Assert.Equal("/health/live", Text(Map(container, "startupProbe", "httpGet")["path"]));
        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            Assert.Equal(Text(containerPort["name"]), Text(Map(container, probe, "httpGet")["port"]));
        }

        // Kubernetes kills at the end of the grace period, preStop included: the drain must fit in it with time to close.
        Assert.True(grace >= drain + TimeSpan.FromSeconds(10), $"terminationGracePeriodSeconds {grace.TotalSeconds} s < drain timeout {drain.TotalSeconds} s + 10 s");
        Assert.Contains("kill -TERM 1", preStop, StringComparison.Ordinal);   // SIGTERM drains (docs/cli.md, "Stopping")
        Assert.Contains("kill -0 1", preStop, StringComparison.Ordinal);      // and the hook waits for the drain's end
        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), Text(Map(deployment, "spec", "template", "metadata", "annotations")["prometheus.io/port"]));
        Assert.Equal("/metrics", Text(Map(deployment, "spec", "template", "metadata", "annotations")["prometheus.io/path"]));
    }

    [Fact]
    public void Deployment_KafkaScaleOut_ReplicasShareOneConsumerGroupOfAValidDefinition()
    {
        var deployment = Yaml("deployment.yaml");
        var configMap = Yaml("configmap.yaml");
        var pod = Map(Map(deployment, "spec", "template"), "spec");
        var container = Single(Seq(pod, "containers"));
        var file = Scalars(container, "args")[1];
        var mount = Seq(container, "volumeMounts").Single(m => Text(m["mountPath"]) == Path.GetDirectoryName(file));
        var volume = Seq(pod, "volumes").Single(v => Text(v["name"]) == Text(mount["name"]));
        var environment = Seq(container, "env").ToDictionary(e => Text(e["name"]), e => Text(e["value"]), StringComparer.Ordinal);
        var definition = Text(Map(configMap, "data")[Path.GetFileName(file)]);

        Assert.Equal(Text(Map(configMap, "metadata")["name"]), Text(Map(volume, "configMap")["name"]));
        Assert.True(int.Parse(Text(Map(deployment, "spec")["replicas"]), CultureInfo.InvariantCulture) >= 2, "scale-out by replicas");
        var errors = PipelineDefinitionLoader.Validate(definition, "pipelines.yaml", new PipelineLoadOptions
        {
            Registry = ConnectorRegistry.CreateDefault().AddKafka(),
            Environment = name => environment.GetValueOrDefault(name),
        });
        Assert.Empty(errors);
        var parsed = PipelineDefinitionLoader.Parse(definition, "pipelines.yaml", new PipelineLoadOptions { Registry = ConnectorRegistry.CreateDefault().AddKafka(), Environment = name => environment.GetValueOrDefault(name) });
        var pipelines = (YamlSequenceNode)Parse(definition)["pipelines"];
        Assert.Equal(pipelines.Children.Count, parsed.Pipelines.Count);
        Assert.All(pipelines.Children.Cast<YamlMappingNode>(), p =>
        {
            // Every replica reads as the same consumer group: Kafka splits the partitions among them.
            var source = Map(p, "source");
            Assert.Equal("stream", Text(source["type"]));
            Assert.False(string.IsNullOrEmpty(Text(Map(source, "settings")["group"])), "a consumer group");
        });
        Assert.Equal("kafka", Text(Map(Parse(definition), "framework")["type"]));
    }

    [Fact]
    public void Manifests_ServiceSelectsThePodsAndKustomizationListsEveryFile()
    {
        var deployment = Yaml("deployment.yaml");
        var service = Yaml("service.yaml");
        var budget = Yaml("poddisruptionbudget.yaml");
        var labels = Map(deployment, "spec", "template", "metadata", "labels");
        var containerPort = Single(Seq(Single(Seq(Map(deployment, "spec", "template", "spec"), "containers")), "ports"));

        Assert.All(Map(service, "spec", "selector").Children, l => Assert.Equal(Text(l.Value), Text(labels[l.Key])));
        Assert.All(Map(budget, "spec", "selector", "matchLabels").Children, l => Assert.Equal(Text(l.Value), Text(labels[l.Key])));
        Assert.All(Map(deployment, "spec", "selector", "matchLabels").Children, l => Assert.Equal(Text(l.Value), Text(labels[l.Key])));
        Assert.Equal(Text(containerPort["name"]), Text(Single(Seq(Map(service, "spec"), "ports"))["targetPort"]));
        var listed = Scalars(Yaml("kustomization.yaml"), "resources").Order(StringComparer.Ordinal);
        var files = Directory.GetFiles(Path.Combine(Ops, "kubernetes"), "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal);
        Assert.Equal(files, listed);
    }

    [Fact]
    public async Task Probes_OnARunningPipeline_AnswerWhatTheDeploymentExpects()
    {
        var container = Single(Seq(Map(Yaml("deployment.yaml"), "spec", "template", "spec"), "containers"));
        await using var ops = await OperationsFixture.StartAsync("probed");
        await Wait.UntilAsync(() => ops.Sink.Count > 0, "records flow");

        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            using var response = await ops.Http.GetAsync(Text(Map(container, probe, "httpGet")["path"]));
            Assert.Equal(200, (int)response.StatusCode);
        }

        await ops.PostAsync("/api/pipelines/probed/pause");
        using var paused = await ops.Http.GetAsync(Text(Map(container, "readinessProbe", "httpGet")["path"]));
        using var live = await ops.Http.GetAsync(Text(Map(container, "livenessProbe", "httpGet")["path"]));
        Assert.Equal(503, (int)paused.StatusCode);   // a paused pod leaves the Service's endpoints ...
        Assert.Equal(200, (int)live.StatusCode);     // ... and is not restarted
    }

    private static List<(string Verb, string Args)> Dockerfile() =>
        [.. File.ReadAllLines(Path.Combine(Ops, "docker", "Dockerfile"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => (l.Split(' ', 2)[0], l.Split(' ', 2)[1].Trim()))];

    private static string[] JsonArray(string text) => System.Text.Json.JsonSerializer.Deserialize<string[]>(text)!;

    private static string? Option(IReadOnlyList<string> args, string name) =>
        args.Select((a, i) => (a, i)).Where(x => x.a == name).Select(x => args[x.i + 1]).SingleOrDefault();

    private static TimeSpan Duration(string text)
    {
        var match = DurationText().Match(text);
        Assert.True(match.Success, text + " is a duration");
        var value = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value switch { "ms" => TimeSpan.FromMilliseconds(value), "s" => TimeSpan.FromSeconds(value), "m" => TimeSpan.FromMinutes(value), _ => TimeSpan.FromHours(value) };
    }

    private static YamlMappingNode Yaml(string file) => Parse(File.ReadAllText(Path.Combine(Ops, "kubernetes", file)));

    private static YamlMappingNode Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => (YamlMappingNode)current[key]);

    private static IEnumerable<YamlMappingNode> Seq(YamlMappingNode node, string key) => ((YamlSequenceNode)node[key]).Children.Cast<YamlMappingNode>();

    private static List<string> Scalars(YamlMappingNode node, string key) => [.. ((YamlSequenceNode)node[key]).Children.Select(Text)];

    private static YamlMappingNode Single(IEnumerable<YamlMappingNode> nodes) => Assert.Single(nodes);

    private static string Text(YamlNode node) => node switch
    {
        YamlScalarNode scalar => scalar.Value ?? string.Empty,
        _ => throw new InvalidOperationException("not a scalar: " + node),
    };

    [GeneratedRegex(@"publish (?<project>\S+\.csproj)")]
    private static partial Regex PublishedProject();

    [GeneratedRegex(@"<TargetFramework>net(?<version>\d+\.\d+)</TargetFramework>")]
    private static partial Regex TargetFramework();

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)(?<unit>ms|s|m|h)$")]
    private static partial Regex DurationText();
}
