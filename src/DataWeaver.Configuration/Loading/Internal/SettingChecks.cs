using System.Globalization;
using DataWeaver.Configuration.Internal;

namespace DataWeaver.Configuration.Loading.Internal;

/// <summary>Checks one setting's value against its <see cref="SettingDescriptor"/>; returns the problem, or <see langword="null"/>.</summary>
internal static class SettingChecks
{
    public static (string Code, string Message)? Check(SettingDescriptor setting, ConfigValue value)
    {
        double number = 0;
        var problem = setting.Type switch
        {
            SettingType.String when !value.IsScalar || value.Kind == ConfigValueKind.Null => "a string",
            SettingType.String when setting.AllowedValues is { } allowed && !allowed.Contains(value.Text!, StringComparer.Ordinal) =>
                $"one of {Suggestions.List(allowed)}{(value.IsSecret ? string.Empty : Suggestions.DidYouMean(value.Text!, allowed))}",
            SettingType.Integer when !value.TryGetInt64(out var integer) => "an integer",
            SettingType.Number when !value.TryGetDouble(out number) => "a number",
            SettingType.Boolean when !value.TryGetBoolean(out _) => "true or false",
            SettingType.Duration when !Units.TryParseDuration(value.Text, out _) => "a duration such as 50ms, 5s or 2m",
            SettingType.Size when !Units.TryParseSize(value, out var bytes) => "a size such as 4096 or 64MiB",
            SettingType.Path when value.Kind != ConfigValueKind.String || value.Text!.Length == 0 => "a path",
            SettingType.StringList when !(value.IsScalar && value.Kind != ConfigValueKind.Null) && !(value.Kind == ConfigValueKind.Sequence && value.Items.All(i => i.IsScalar && i.Kind != ConfigValueKind.Null)) => "a sequence of strings",
            SettingType.Mapping when value.Kind != ConfigValueKind.Mapping => "a mapping",
            SettingType.Sequence when value.Kind != ConfigValueKind.Sequence => "a sequence",
            _ => null,
        };
        if (problem is not null)
        {
            return (ConfigurationErrorCode.Type, $"Setting '{setting.Name}' must be {problem}; found {Found(value)}.");
        }

        var magnitude = setting.Type switch
        {
            SettingType.Integer or SettingType.Number when value.TryGetDouble(out number) => number,
            SettingType.Size when Units.TryParseSize(value, out var size) => size,
            _ => (double?)null,
        };
        if (magnitude is { } m && (m < setting.Minimum || m > setting.Maximum))
        {
            var range = setting.Maximum is null ? $"at least {Format(setting.Minimum)}" : setting.Minimum is null ? $"at most {Format(setting.Maximum)}" : $"from {Format(setting.Minimum)} to {Format(setting.Maximum)}";
            return (ConfigurationErrorCode.Range, $"Setting '{setting.Name}' must be {range}; found {value.Describe()}.");
        }

        return null;
    }

    private static string Found(ConfigValue value) => value.IsScalar ? value.Describe() : ConfigValue.KindName(value.Kind);

    private static string Format(double? value) => value?.ToString("#,0.###", CultureInfo.InvariantCulture) ?? string.Empty;
}
