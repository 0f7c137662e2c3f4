using System.Globalization;
using System.Net.Sockets;

namespace DataWeaver.Sockets.Internal;

/// <summary>
/// The kernel's count of datagrams it dropped for one socket because its receive buffer was full: the <c>drops</c> column of
/// <c>/proc/net/udp</c> (or <c>udp6</c>) on the line of the socket's inode. Linux only; elsewhere not observable.
/// </summary>
internal sealed class UdpDrops
{
    private readonly string? _inode;

    public UdpDrops(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            var target = new FileInfo("/proc/self/fd/" + socket.SafeHandle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture)).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                _inode = target[8..^1];
            }
        }
        catch (IOException)
        {
            _inode = null;
        }
    }

    /// <summary>Reads the count, or returns <see langword="null"/> when the system does not show it.</summary>
    public long? Read()
    {
        if (_inode is null)
        {
            return null;
        }

        foreach (var table in (ReadOnlySpan<string>)["/proc/net/udp", "/proc/net/udp6"])
        {
            try
            {
                foreach (var line in File.ReadLines(table).Skip(1))
                {
                    var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (columns.Length >= 13 && columns[9] == _inode)
                    {
                        return long.Parse(columns[12], CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                return null;
            }
        }

        return null;
    }
}
