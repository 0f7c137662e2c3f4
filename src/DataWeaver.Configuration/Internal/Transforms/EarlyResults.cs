using System.Text.Json;
using DataWeaver.Windowing;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>
/// The <c>early</c> key of <c>window</c> and <c>reduce</c>: early (updating) results of open windows
/// (<see cref="WindowOptions.EarlyResultEvery"/>, <see cref="WindowOptions.EarlyResultInterval"/>), each marked in the
/// emitted record by a boolean field (<c>early: true</c> unless <c>field</c> names another).
/// </summary>
internal static class EarlyResults
{
    /// <summary>The marker field of an early result when <c>early.field</c> is not set.</summary>
    public const string DefaultField = "early";

    /// <summary>Sets the early-result options from <c>early</c> (unchanged without it); problems go to <paramref name="errors"/>, each at its path.</summary>
    public static WindowOptions Apply(WindowOptions options, ConfigValue args, string transformName, List<ConfigurationError> errors)
    {
        if (args["early"] is not { } early)
        {
            return options;
        }

        var every = early["every"];
        var interval = early["interval"];
        if (every is null && interval is null)
        {
            errors.Add(ConfigurationError.At(early, $"'{transformName}' early needs every (records) or interval (a duration), or both.", ConfigurationErrorCode.Required));
        }

        if (options.Kind == WindowKind.Session)
        {
            errors.Add(ConfigurationError.At(early, $"'{transformName}' early applies to tumbling and hopping windows only, not type: session.", ConfigurationErrorCode.Conflict));
        }

        int? everyCount = every is null ? null : StatefulTransforms.Count(every, 1, errors);
        TimeSpan? period = null;
        if (interval is not null)
        {
            var value = StatefulTransforms.Duration(interval, TimeSpan.FromSeconds(1), errors);
            if (value < TimeSpan.FromMilliseconds(1) || value > TimeSpan.FromDays(1))
            {
                errors.Add(ConfigurationError.At(interval, "must be a duration from 1ms to 1d.", ConfigurationErrorCode.Range));
            }
            else
            {
                period = value;
            }
        }

        if (early["field"] is { } field && string.IsNullOrEmpty(field.Text))
        {
            errors.Add(ConfigurationError.At(field, "must be a field name.", ConfigurationErrorCode.InvalidValue));
        }

        return options with { EarlyResultEvery = everyCount, EarlyResultInterval = period };
    }

    /// <summary>The marker field written on early results, encoded once.</summary>
    public static JsonEncodedText Marker(ConfigValue args) =>
        JsonEncodedText.Encode(args["early"]?["field"]?.Text is { Length: > 0 } name ? name : DefaultField);
}
