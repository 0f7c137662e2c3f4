using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace DataWeaver.Connectors.Files;

/// <summary>
/// Which file a path or an open handle is: its device and inode (POSIX <c>stat</c>/<c>fstat</c>), which a rename,
/// a delete-and-recreate or a log rotation changes while the length may stay the same. Unknown (both 0) where the
/// platform does not say; then only the fingerprint of the first bytes tells files apart. Public so that file sources
/// outside the engine (the <c>file</c> connector of definition files) keep the same identity in their checkpoints.
/// </summary>
/// <param name="Device">The device the file is on (<c>st_dev</c>); 0 when unknown.</param>
/// <param name="Inode">The file's inode on that device (<c>st_ino</c>); 0 when unknown.</param>
public readonly record struct FileIdentity(long Device, long Inode)
{
    /// <summary>The bytes at the start of a file that its fingerprint covers.</summary>
    public const int FingerprintBytes = 4096;

    private const int StatBufferBytes = 512;

    /// <summary>Gets a value indicating whether the platform told the device and inode.</summary>
    public bool IsKnown => Device != 0 || Inode != 0;

    /// <summary>Gets the identity of an open file.</summary>
    /// <param name="handle">The open file.</param>
    /// <returns>Its identity; unknown (both 0) where the platform does not say.</returns>
    public static FileIdentity Of(SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return default;
        }

        var buffer = new byte[StatBufferBytes];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Native.TryFstat((int)handle.DangerousGetHandle(), buffer) ? Parse(buffer) : default;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Gets the identity of the file a path names now; <see langword="null"/> when there is none.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The identity, or <see langword="null"/> when nothing is at the path.</returns>
    /// <remarks>
    /// Asks <c>stat</c> for the path, opening nothing: a file another handle holds with an exclusive lock
    /// (<see cref="FileShare.None"/>, an <c>flock</c> on Unix) is told as well.
    /// </remarks>
    public static FileIdentity? Of(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var buffer = new byte[StatBufferBytes];
            switch (Native.TryStat(path, buffer))
            {
                case true:
                    return Parse(buffer);
                case false:
                    return null;
            }
        }

        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return Of(handle);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Tells whether a path names a device, a FIFO or a socket (<c>/dev/null</c>, <c>/dev/stdout</c>'s pipe, a named
    /// pipe): something to write into directly, never to replace by renaming a file over it. Symbolic links are followed.
    /// </summary>
    /// <param name="path">The path.</param>
    /// <returns><see langword="true"/> for such a file; <see langword="false"/> for a regular file, a folder, nothing at
    /// the path, or a platform whose <c>stat</c> layout is not known here (Windows, 32-bit Linux).</returns>
    internal static bool IsSpecialFile(string path)
    {
        var modeOffset = OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() ? 4
            : !OperatingSystem.IsLinux() ? -1
            : RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24        // st_dev, st_ino, st_nlink, st_mode
            : RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 ? 16 // asm-generic: st_dev, st_ino, st_mode
            : -1;
        var buffer = new byte[StatBufferBytes];
        if (modeOffset < 0 || Native.TryStat(path, buffer) != true)
        {
            return false;
        }

        const int TypeMask = 0xF000, Regular = 0x8000, Folder = 0x4000, Link = 0xA000;
        var type = BitConverter.ToUInt16(buffer, modeOffset) & TypeMask;
        return type is not (Regular or Folder or Link or 0);
    }

    /// <summary>Hashes the first <paramref name="length"/> bytes of a file (a non-negative 63-bit number); <see langword="null"/> when it is shorter.</summary>
    /// <param name="handle">The open file.</param>
    /// <param name="length">How many bytes from the start to hash (at most <see cref="FingerprintBytes"/> by convention).</param>
    /// <returns>The hash, or <see langword="null"/> when the file has fewer bytes.</returns>
    public static long? Fingerprint(SafeFileHandle handle, int length)
    {
        var bytes = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
            if (n == 0)
            {
                return null;
            }

            read += n;
        }

        return BitConverter.ToInt64(SHA256.HashData(bytes), 0) & long.MaxValue;
    }

    /// <inheritdoc />
    public override string ToString() => IsKnown ? $"device {Device}, inode {Inode}" : "unknown identity";

    private static FileIdentity Parse(byte[] stat)
    {
        // Linux (x86-64, arm64, ...): st_dev and st_ino are the first two 64-bit fields; macOS: a 32-bit st_dev,
        // then st_mode and st_nlink (16 bits each), then a 64-bit st_ino at byte 8.
        var device = OperatingSystem.IsMacOS() || OperatingSystem.IsIOS()
            ? BitConverter.ToUInt32(stat, 0)
            : BitConverter.ToInt64(stat, 0);
        return new FileIdentity(device & long.MaxValue, BitConverter.ToInt64(stat, 8) & long.MaxValue);
    }

    private static class Native
    {
        private static bool s_missing;

        public static bool TryFstat(int descriptor, byte[] buffer)
        {
            if (Volatile.Read(ref s_missing))
            {
                return false;
            }

            try
            {
                // Intel macOS exports the 64-bit-inode layout under its own name; everywhere else fstat has it.
                return (OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.X64
                    ? fstat_inode64(descriptor, buffer)
                    : fstat(descriptor, buffer)) == 0;
            }
            catch (EntryPointNotFoundException)
            {
                Volatile.Write(ref s_missing, true); // glibc before 2.33 exports only __fxstat: fingerprints alone then
                return false;
            }
            catch (DllNotFoundException)
            {
                Volatile.Write(ref s_missing, true);
                return false;
            }
        }

        /// <summary>Stats a path: <see langword="true"/> with the buffer filled, <see langword="false"/> when nothing is there, <see langword="null"/> when <c>stat</c> cannot tell.</summary>
        public static bool? TryStat(string path, byte[] buffer)
        {
            if (Volatile.Read(ref s_missing))
            {
                return null;
            }

            try
            {
                var result = OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.X64
                    ? stat_inode64(path, buffer)
                    : stat(path, buffer);
                if (result == 0)
                {
                    return true;
                }

                return Marshal.GetLastPInvokeError() is NoSuchFile or NotADirectory ? false : null;
            }
            catch (EntryPointNotFoundException)
            {
                Volatile.Write(ref s_missing, true);
                return null;
            }
            catch (DllNotFoundException)
            {
                Volatile.Write(ref s_missing, true);
                return null;
            }
        }

        private const int NoSuchFile = 2; // ENOENT
        private const int NotADirectory = 20; // ENOTDIR

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int fstat(int fd, [Out] byte[] buf);

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buf);

        [DllImport("libc", EntryPoint = "stat$INODE64", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int stat_inode64([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buf);

        [DllImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int fstat_inode64(int fd, [Out] byte[] buf);
    }
}
