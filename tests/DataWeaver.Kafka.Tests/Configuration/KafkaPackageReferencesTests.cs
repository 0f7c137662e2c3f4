using System.Reflection;
using DataWeaver.Configuration;
using DataWeaver.Kafka.Configuration;

namespace DataWeaver.Kafka.Tests.Configuration;

/// <summary>The Kafka package registers with the configuration core alone: no YAML loader comes with it.</summary>
public sealed class KafkaPackageReferencesTests
{
    [Fact]
    public void KafkaAssembly_ReferencedClosure_HoldsNeitherYamlDotNetNorTheYamlLoader()
    {
        var closure = ReferencedClosure(typeof(KafkaStreamFramework).Assembly);

        Assert.Contains("DataWeaver.Configuration", closure);
        Assert.DoesNotContain("DataWeaver.Configuration.Yaml", closure);
        Assert.DoesNotContain("YamlDotNet", closure);
    }

    [Fact]
    public void AddKafka_OnCoreRegistry_RegistersTheKafkaFramework()
    {
        var registry = new ConnectorRegistry().AddKafka();

        Assert.Equal(["kafka"], registry.FrameworkTypes);
    }

    /// <summary>The names of the non-framework assemblies <paramref name="root"/> references, directly or through others.</summary>
    private static HashSet<string> ReferencedClosure(Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([root]);
        while (pending.TryPop(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                var name = reference.Name!;
                if (name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft", StringComparison.Ordinal) || name is "netstandard" or "mscorlib" || !seen.Add(name))
                {
                    continue;
                }

                pending.Push(Assembly.Load(reference));
            }
        }

        return seen;
    }
}
