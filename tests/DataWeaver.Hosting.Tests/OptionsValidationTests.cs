using System.Text;
using System.Text.RegularExpressions;
using DataWeaver.Connectors.Memory;
using DataWeaver.Hosting.Tests.Support;
using DataWeaver.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DataWeaver.Hosting.Tests;

public sealed class OptionsValidationTests
{
    [Fact]
    public async Task StartAsync_InvalidOptions_FailsListingEveryInvalidKeyBeforeAnyPipelineIsBuilt()
    {
        var built = 0;
        using var host = TestHost.Build(b => b
            .AddPipeline("orders", _ =>
            {
                Interlocked.Increment(ref built);
                return Pipeline.From(new CollectionSource<int>([1])).To(new CollectionSink<int>()).Build();
            })
            .Configure(o =>
            {
                o.DrainTimeout = TimeSpan.FromSeconds(-1);
                o.MaxRestarts = -1;
                o.RestartDelay = TimeSpan.FromMinutes(10);
            }));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            [
                "DataWeaverHostOptions.DrainTimeout must be positive or Timeout.InfiniteTimeSpan (was -00:00:01).",
                "DataWeaverHostOptions.MaxRestarts must be from 0 to 1000000 (was -1).",
                "DataWeaverHostOptions.MaxRestartDelay must be at least RestartDelay (00:10:00) (was 00:05:00).",
            ],
            error.Failures);
        Assert.Equal(0, built);
    }

    [Fact]
    public void AddDataWeaver_SameNameInTwoCalls_IsRejectedAtRegistration()
    {
        var services = new ServiceCollection().AddDataWeaver(b => b.AddPipeline("orders", _ => throw new InvalidOperationException()));

        var error = Assert.Throws<ArgumentException>(() => services.AddDataWeaver(b => b.AddPipeline("orders", _ => throw new InvalidOperationException())));

        Assert.Contains("'orders' was already added", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_FromConfigurationSection_BindsEveryOption()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataWeaver:DrainTimeout"] = "00:00:12",
            ["DataWeaver:MaxRestarts"] = "3",
            ["DataWeaver:RestartDelay"] = "00:00:02",
            ["DataWeaver:MaxRestartDelay"] = "00:01:00",
            ["DataWeaver:StopApplicationOnFailure"] = "true",
        }).Build();
        var services = new ServiceCollection().AddDataWeaver(b => b.Configure(configuration.GetSection(DataWeaverHostOptions.SectionName)));

        var options = services.BuildServiceProvider().GetRequiredService<IOptions<DataWeaverHostOptions>>().Value;

        Assert.Equal((TimeSpan.FromSeconds(12), 3, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), true),
            (options.DrainTimeout, options.MaxRestarts, options.RestartDelay, options.MaxRestartDelay, options.StopApplicationOnFailure));
    }

    [Fact]
    public void Configure_AppsettingsExampleOfTheDocs_BindsEveryOptionAndPassesValidation()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "DataWeaver.Engine.sln")))
        {
            root = root.Parent!;
        }

        var markdown = File.ReadAllText(Path.Combine(root.FullName, "docs", "hosting.md"));
        var json = Regex.Match(markdown, @"<!-- appsettings: hosting -->\s*```json\n(?<json>.*?)```", RegexOptions.Singleline).Groups["json"].Value;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var provider = new ServiceCollection().AddDataWeaver(b => b.Configure(configuration.GetSection(DataWeaverHostOptions.SectionName))).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<DataWeaverHostOptions>>().Value;
        var validation = provider.GetRequiredService<IEnumerable<IValidateOptions<DataWeaverHostOptions>>>().Single().Validate(null, options);

        Assert.Equal((TimeSpan.FromSeconds(25), 3, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), false),
            (options.DrainTimeout, options.MaxRestarts, options.RestartDelay, options.MaxRestartDelay, options.StopApplicationOnFailure));
        Assert.True(validation.Succeeded);
    }

    [Fact]
    public void Defaults_AreThirtySecondDrainAndNoRestarts()
    {
        var options = new ServiceCollection().AddDataWeaver(_ => { }).BuildServiceProvider().GetRequiredService<IOptions<DataWeaverHostOptions>>().Value;

        Assert.Equal((TimeSpan.FromSeconds(30), 0, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), false),
            (options.DrainTimeout, options.MaxRestarts, options.RestartDelay, options.MaxRestartDelay, options.StopApplicationOnFailure));
    }
}
