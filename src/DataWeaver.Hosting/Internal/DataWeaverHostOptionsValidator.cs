using Microsoft.Extensions.Options;

namespace DataWeaver.Hosting.Internal;

/// <summary>Checks <see cref="DataWeaverHostOptions"/> when the host starts; lists every failure, naming the key.</summary>
internal sealed class DataWeaverHostOptionsValidator : IValidateOptions<DataWeaverHostOptions>
{
    public ValidateOptionsResult Validate(string? name, DataWeaverHostOptions options)
    {
        List<string> failures = [];
        const string Prefix = nameof(DataWeaverHostOptions) + ".";
        if (options.DrainTimeout <= TimeSpan.Zero && options.DrainTimeout != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"{Prefix}{nameof(options.DrainTimeout)} must be positive or Timeout.InfiniteTimeSpan (was {options.DrainTimeout}).");
        }

        if (options.MaxRestarts is < 0 or > 1_000_000)
        {
            failures.Add($"{Prefix}{nameof(options.MaxRestarts)} must be from 0 to 1000000 (was {options.MaxRestarts}).");
        }

        if (options.RestartDelay < TimeSpan.Zero)
        {
            failures.Add($"{Prefix}{nameof(options.RestartDelay)} must not be negative (was {options.RestartDelay}).");
        }

        if (options.MaxRestartDelay < options.RestartDelay)
        {
            failures.Add($"{Prefix}{nameof(options.MaxRestartDelay)} must be at least RestartDelay ({options.RestartDelay}) (was {options.MaxRestartDelay}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
