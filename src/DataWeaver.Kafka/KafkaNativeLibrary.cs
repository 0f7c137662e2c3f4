using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace DataWeaver.Kafka;

/// <summary>
/// The native librdkafka that Confluent.Kafka runs on: the one shipped in the librdkafka.redist package (a dependency of
/// Confluent.Kafka), pinned so that no other librdkafka on the machine is ever loaded instead.
/// </summary>
/// <remarks>
/// <para>
/// Confluent.Kafka's own loader asks the runtime for "librdkafka", then "centos8-librdkafka", then "alpine-librdkafka".
/// On Linux the first name also matches a system librdkafka (Debian's librdkafka-dev installs an older
/// <c>/usr/lib/x86_64-linux-gnu/librdkafka.so</c>), and the redist's default library fails to load where libsasl2.so.3
/// is absent (Debian 12), so which file runs would depend on the machine. DataWeaver.Kafka therefore registers a
/// <see cref="NativeLibrary.SetDllImportResolver"/> on Confluent.Kafka's assembly when it is loaded: on Linux every
/// librdkafka name resolves to the first of the redist's <c>librdkafka.so</c>, <c>centos8-librdkafka.so</c> (glibc only)
/// and <c>alpine-librdkafka.so</c> (musl) that loads, from the output folder's <c>runtimes/linux-ARCH/native</c> (or the
/// folders the runtime probes for native assets). Other platforms keep Confluent.Kafka's default loading.
/// </para>
/// <para>
/// Never call <see cref="Library.Load(string)"/> with a path on Linux: it dlopens "libdl", which glibc 2.34 and later
/// name libdl.so.2, and fails.
/// </para>
/// </remarks>
public static class KafkaNativeLibrary
{
    /// <summary>The librdkafka this adapter is built and tested with: 2.16.0, as <c>0xMMmmrrxx</c>.</summary>
    public const int MinimumVersion = 0x021000ff;

    private static readonly string[] LinuxFileNames = ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so"];
    private static readonly Lock Gate = new();
    private static bool resolverRegistered;
    private static bool pinAttempted;
    private static nint pinnedHandle;
    private static string? pinnedPath;
    private static string? pinFailure;

    /// <summary>
    /// The full path of the librdkafka file every librdkafka name resolves to in this process (on Linux, one of the
    /// redist's files), or <see langword="null"/> where DataWeaver does not pin the library (Windows, macOS) or none of
    /// the redist's files could be loaded.
    /// </summary>
    public static string? LoadedPath
    {
        get
        {
            Pin();
            return pinnedPath;
        }
    }

    /// <summary>Loads librdkafka if it is not loaded yet and returns its version string (for example "2.16.0").</summary>
    /// <returns>librdkafka's version string.</returns>
    /// <exception cref="InvalidOperationException">
    /// librdkafka cannot be loaded or is older than <see cref="MinimumVersion"/>.
    /// </exception>
    public static string EnsureLoaded()
    {
        RegisterResolver();
        int version;
        string versionString;
        try
        {
            version = Library.Version;
            versionString = Library.VersionString;
        }
        catch (DllNotFoundException exception)
        {
            ThrowNotFound(exception, pinFailure);
            return string.Empty;
        }

        if (version < MinimumVersion)
        {
            ThrowTooOld(versionString);
        }

        return versionString;
    }

    /// <summary>
    /// Registers the resolver that pins librdkafka on Confluent.Kafka's assembly. Runs when DataWeaver.Kafka is loaded,
    /// before any of its code can touch Confluent.Kafka; calling it again does nothing.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage(
        "Usage",
        "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The resolver must be on Confluent.Kafka's assembly before its first P/Invoke, whichever DataWeaver.Kafka entry point runs first.")]
    internal static void RegisterResolver()
    {
        lock (Gate)
        {
            if (resolverRegistered)
            {
                return;
            }

            resolverRegistered = true;
        }

        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The host registered its own resolver on Confluent.Kafka first: it decides which librdkafka is loaded.
        }
    }

    /// <summary>
    /// Resolves a native library name to the pinned librdkafka handle (<see cref="DllImportResolver"/> for other
    /// assemblies that P/Invoke into librdkafka, such as the mock cluster of DataWeaver.Kafka.Testing).
    /// </summary>
    /// <param name="libraryName">The name in the P/Invoke declaration.</param>
    /// <param name="assembly">The assembly declaring the P/Invoke.</param>
    /// <param name="searchPath">The declared search path.</param>
    /// <returns>The pinned handle for a librdkafka name on Linux; otherwise zero (the runtime's default loading).</returns>
    public static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        ArgumentNullException.ThrowIfNull(libraryName);
        if (!IsLibrdkafkaName(libraryName))
        {
            return nint.Zero;
        }

        Pin();
        return pinnedHandle;
    }

    private static bool IsLibrdkafkaName(string libraryName) =>
        libraryName is "librdkafka" or "centos8-librdkafka" or "alpine-librdkafka" or "librdkafka.so" or "librdkafka.so.1";

    private static void Pin()
    {
        lock (Gate)
        {
            if (pinAttempted)
            {
                return;
            }

            pinAttempted = true;
            if (!OperatingSystem.IsLinux())
            {
                return;
            }

            var failures = new List<string>();
            foreach (var directory in CandidateDirectories())
            {
                foreach (var name in LinuxFileNames)
                {
                    var path = Path.Combine(directory, name);
                    if (!File.Exists(path))
                    {
                        continue;
                    }

                    if (NativeLibrary.TryLoad(path, out var handle))
                    {
                        pinnedHandle = handle;
                        pinnedPath = path;
                        return;
                    }

                    failures.Add(path);
                }
            }

            pinFailure = failures.Count == 0
                ? "none of librdkafka.redist's Linux libraries is in the output folder (runtimes/linux-ARCH/native)"
                : "librdkafka.redist's libraries did not load: " + string.Join(", ", failures);
        }
    }

    private static IEnumerable<string> CandidateDirectories()
    {
        var architecture = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            _ => "x64",
        };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var roots = new List<string>();
        var assemblyDirectory = Path.GetDirectoryName(typeof(Library).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDirectory))
        {
            roots.Add(assemblyDirectory);
        }

        roots.Add(AppContext.BaseDirectory);
        foreach (var root in roots)
        {
            foreach (var directory in new[] { Path.Combine(root, "runtimes", "linux-" + architecture, "native"), root })
            {
                if (seen.Add(directory))
                {
                    yield return directory;
                }
            }
        }

        // Framework-dependent runs without copied assets (and RID-specific layouts) list the native asset folders here.
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
        {
            foreach (var directory in searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (directory.Contains("librdkafka.redist", StringComparison.OrdinalIgnoreCase) && seen.Add(directory))
                {
                    yield return directory;
                }
            }
        }
    }

    [DoesNotReturn]
    private static void ThrowNotFound(Exception inner, string? detail) =>
        throw new InvalidOperationException(
            "librdkafka could not be loaded: DataWeaver.Kafka runs on the native library of the librdkafka.redist package " +
            "(a dependency of Confluent.Kafka), which must be in the output folder" + (detail is null ? "." : $" ({detail})."),
            inner);

    [DoesNotReturn]
    private static void ThrowTooOld(string version) =>
        throw new InvalidOperationException(
            $"librdkafka {version} is older than 2.16.0, the version DataWeaver.Kafka is built and tested with.");
}
