using System.Diagnostics.CodeAnalysis;
using DataWeaver.Errors;

namespace DataWeaver.Mqtt;

/// <summary>Fails fast on invalid options, listing every problem.</summary>
internal static class MqttOptionsValidation
{
    public static T Check<T>(T options, IEnumerable<string> problems)
    {
        var list = problems.ToList();
        if (list.Count > 0)
        {
            ThrowInvalid(list);
        }

        return options;
    }

    [DoesNotReturn]
    private static void ThrowInvalid(List<string> problems) => throw new PipelineConfigurationException(problems);
}
