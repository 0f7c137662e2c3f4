using System.Text;
using DataWeaver.Configuration.Internal;

namespace DataWeaver.Configuration.Loading.Internal;

/// <summary>
/// Replaces <c>${NAME}</c>, <c>${NAME:-default}</c> and <c>${secret:NAME}</c> in string values with environment
/// variables (<c>$${</c> is a literal <c>${</c>), and marks secrets: values written <c>${secret:...}</c>, and values
/// from variables under keys that look secret.
/// </summary>
internal sealed class VariableExpander(Func<string, string?> environment, ErrorList errors)
{
    private const string SecretPrefix = "secret:";

    /// <summary>Gets every secret value met: whole values and the variables' own values.</summary>
    public HashSet<string> Secrets { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets a value indicating whether a key name looks like it holds a secret.</summary>
    public static bool LooksSecret(string key)
    {
        var k = key.ToLowerInvariant();
        return k.Contains("password", StringComparison.Ordinal)
            || k.Contains("passwd", StringComparison.Ordinal)
            || k.Contains("secret", StringComparison.Ordinal)
            || k.Contains("token", StringComparison.Ordinal)
            || k.Contains("credential", StringComparison.Ordinal)
            || k.EndsWith("key", StringComparison.Ordinal)
            || k.StartsWith("sasl.", StringComparison.Ordinal)
            || k.StartsWith("ssl.key", StringComparison.Ordinal);
    }

    public ConfigValue Expand(ConfigValue value, string key = "")
    {
        switch (value.Kind)
        {
            case ConfigValueKind.Mapping:
                var properties = value.Properties.Select(p => new ConfigProperty(p.Name, Expand(p.Value, p.Name), p.NameLocation)).ToList();
                return value.WithChildren([], properties);
            case ConfigValueKind.Sequence:
                return value.WithChildren([.. value.Items.Select(item => Expand(item, key))], []);
            case ConfigValueKind.String when value.Text!.Contains('$', StringComparison.Ordinal):
                return ExpandString(value, key);
            default:
                return value;
        }
    }

    private ConfigValue ExpandString(ConfigValue value, string key)
    {
        var text = value.Text!;
        var result = new StringBuilder(text.Length);
        var secret = false;
        var references = 0;
        var wholeValue = false;
        var i = 0;
        while (i < text.Length)
        {
            if (text.AsSpan(i).StartsWith("$${", StringComparison.Ordinal))
            {
                result.Append("${");
                i += 3;
                continue;
            }

            if (!text.AsSpan(i).StartsWith("${", StringComparison.Ordinal))
            {
                result.Append(text[i++]);
                continue;
            }

            var end = text.IndexOf('}', i + 2);
            if (end < 0)
            {
                errors.Add(ConfigurationErrorCode.InvalidValue, value, "A '${' has no closing '}'; write '$${' for a literal '${'.");
                return value;
            }

            var reference = text[(i + 2)..end];
            wholeValue = i == 0 && end == text.Length - 1;
            references++;
            if (!TryResolve(value, reference, out var resolved, out var explicitSecret))
            {
                return value;
            }

            if (explicitSecret || LooksSecret(key))
            {
                secret = true;
                if (resolved.Length > 0)
                {
                    Secrets.Add(resolved);
                }
            }

            result.Append(resolved);
            i = end + 1;
        }

        var expanded = result.ToString();
        if (secret && expanded.Length > 0)
        {
            Secrets.Add(expanded);
        }

        // A value that is exactly one reference may stand for a number or a boolean (see ConfigValue.FromVariable).
        return value.WithScalar(ConfigValueKind.String, expanded, secret || value.IsSecret, wholeValue && references == 1);
    }

    private bool TryResolve(ConfigValue at, string reference, out string resolved, out bool secret)
    {
        resolved = string.Empty;
        secret = reference.StartsWith(SecretPrefix, StringComparison.Ordinal);
        if (secret)
        {
            reference = reference[SecretPrefix.Length..];
        }

        string? fallback = null;
        var dash = reference.IndexOf(":-", StringComparison.Ordinal);
        if (dash >= 0)
        {
            fallback = reference[(dash + 2)..];
            reference = reference[..dash];
        }

        if (!IsName(reference))
        {
            errors.Add(ConfigurationErrorCode.InvalidValue, at, $"'${{{reference}}}' is not a variable reference: use ${{NAME}}, ${{NAME:-default}} or ${{secret:NAME}} with NAME of letters, digits and '_' (write '$${{' for a literal '${{').");
            return false;
        }

        var found = environment(reference);
        if (found is null && fallback is null)
        {
            errors.Add(ConfigurationErrorCode.UnsetVariable, at, $"The environment variable '{reference}' is not set; set it, or give a default with ${{{reference}:-default}}.");
            return false;
        }

        resolved = found ?? fallback!;
        return true;
    }

    private static bool IsName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
