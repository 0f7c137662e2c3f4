using System.Diagnostics.CodeAnalysis;
using Confluent.Kafka;

namespace DataWeaver.Kafka;

/// <summary>
/// The native librdkafka that Confluent.Kafka runs on: Debian's librdkafka 2.0.2 (package librdkafka-dev), found by
/// Confluent.Kafka's default loader through the dynamic linker.
/// </summary>
/// <remarks>
/// Never call <see cref="Library.Load(string)"/> with a path: Confluent.Kafka 1.9.3 then dlopens "libdl", which Debian 12
/// names libdl.so.2, and fails. The default loader (first use of any Confluent.Kafka client) needs no help.
/// </remarks>
public static class KafkaNativeLibrary
{
    /// <summary>The oldest librdkafka this adapter is tested with: 2.0.2 (Debian 12), as <c>0xMMmmrrxx</c>.</summary>
    public const int MinimumVersion = 0x020002ff;

    /// <summary>Loads librdkafka if it is not loaded yet and returns its version string (for example "2.0.2").</summary>
    /// <returns>librdkafka's version string.</returns>
    /// <exception cref="InvalidOperationException">
    /// librdkafka cannot be loaded (install librdkafka-dev) or is older than <see cref="MinimumVersion"/>.
    /// </exception>
    public static string EnsureLoaded()
    {
        int version;
        string versionString;
        try
        {
            version = Library.Version;
            versionString = Library.VersionString;
        }
        catch (DllNotFoundException exception)
        {
            ThrowNotFound(exception);
            return string.Empty;
        }

        if (version < MinimumVersion)
        {
            ThrowTooOld(versionString);
        }

        return versionString;
    }

    [DoesNotReturn]
    private static void ThrowNotFound(Exception inner) =>
        throw new InvalidOperationException(
            "librdkafka could not be loaded: install Debian's librdkafka-dev (apt-get install -y librdkafka-dev), whose " +
            "librdkafka.so Confluent.Kafka's loader looks for.",
            inner);

    [DoesNotReturn]
    private static void ThrowTooOld(string version) =>
        throw new InvalidOperationException(
            $"librdkafka {version} is older than 2.0.2, the version DataWeaver.Kafka is tested with.");
}
