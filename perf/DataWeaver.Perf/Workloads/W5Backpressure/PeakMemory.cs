using System.Text;

namespace DataWeaver.Perf.Workloads.W5Backpressure;

/// <summary>
/// The process's peak resident set during one run, above what it held before: Linux's VmHWM, reset before the run by
/// writing 5 to <c>/proc/self/clear_refs</c>, read from <c>/proc/self/status</c> after it.
/// </summary>
internal static class PeakMemory
{
    /// <summary>Resets the peak and returns the resident set now, in bytes (NaN where /proc is missing).</summary>
    public static double Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return Read("VmRSS:");
        }
        catch (IOException)
        {
            return double.NaN;
        }
        catch (UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    /// <summary>The peak resident set since <see cref="Reset"/>, in bytes.</summary>
    public static double Peak() => Read("VmHWM:");

    private static double Read(string field)
    {
        foreach (var line in File.ReadAllLines("/proc/self/status", Encoding.ASCII))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return double.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return double.NaN;
    }
}
