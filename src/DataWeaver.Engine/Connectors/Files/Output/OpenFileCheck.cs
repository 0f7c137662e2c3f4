using Microsoft.Win32.SafeHandles;

namespace DataWeaver.Connectors.Files.Output;

/// <summary>
/// Tells whether the file a handle has open is still the file at its path: not deleted, not renamed away, not
/// replaced by another file renamed over it.
/// </summary>
/// <remarks>
/// Compares the <see cref="FileIdentity"/> (device and inode) of the open handle with that of the file the path names
/// now. Where the platform does not tell identities (Windows, where the open handle already keeps others from deleting or
/// renaming the file), the file at the path must exist and be exactly as long as the handle's file.
/// </remarks>
internal sealed class OpenFileCheck
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly FileIdentity _identity;

    private OpenFileCheck(SafeFileHandle handle, string path)
    {
        _handle = handle;
        _path = path;
        _identity = FileIdentity.Of(handle);
    }

    /// <summary>Captures the identity of the file <paramref name="handle"/> has open at <paramref name="path"/>.</summary>
    public static OpenFileCheck Capture(SafeFileHandle handle, string path) => new(handle, path);

    /// <summary>Gets a value indicating whether the open file is still the one at the path.</summary>
    public bool IsStillAtPath()
    {
        if (_identity.IsKnown)
        {
            return FileIdentity.Of(_path) == _identity;
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
}
