using Microsoft.Win32.SafeHandles;

namespace DataWeaver.Connectors.Files.Output;

/// <summary>
/// Tells whether the file a handle has open is still the file at its path: not deleted, not renamed away, not
/// replaced by another file renamed over it.
/// </summary>
/// <remarks>
/// On Linux the kernel names every open file in <c>/proc/self/fd</c>: the link points to the file's current path, with
/// <c> (deleted)</c> appended once the file has no name left (deleted, or replaced by a rename over it). The name taken
/// when the file was opened is compared with the name now, which is the inode-and-device identity check without
/// native calls. Elsewhere (no <c>/proc</c>) the file at the path must exist and be exactly as long as the handle's file;
/// on Windows the open handle already keeps others from deleting or renaming the file.
/// </remarks>
internal sealed class FileIdentity
{
    private const string Deleted = " (deleted)";
    private static readonly bool HasProcFds = OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd");
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly string? _kernelName;

    private FileIdentity(SafeFileHandle handle, string path, string? kernelName)
    {
        _handle = handle;
        _path = path;
        _kernelName = kernelName;
    }

    /// <summary>Captures the identity of the file <paramref name="handle"/> has open at <paramref name="path"/>.</summary>
    public static FileIdentity Capture(SafeFileHandle handle, string path) => new(handle, path, KernelName(handle));

    /// <summary>Gets a value indicating whether the open file is still the one at the path.</summary>
    public bool IsStillAtPath()
    {
        if (_kernelName is not null)
        {
            return KernelName(_handle) is { } now && !now.EndsWith(Deleted, StringComparison.Ordinal) && now == _kernelName;
        }

        try
        {
            var info = new FileInfo(_path);
            return info.Exists && info.Length == RandomAccess.GetLength(_handle);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string? KernelName(SafeFileHandle handle)
    {
        if (!HasProcFds)
        {
            return null;
        }

        try
        {
            return new FileInfo("/proc/self/fd/" + handle.DangerousGetHandle().ToInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
