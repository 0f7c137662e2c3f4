using System.Globalization;
using System.IO.Enumeration;
using System.Security.Cryptography;
using System.Text;

namespace DataWeaver.Sftp.Internal;

/// <summary>Remote paths: a file, a folder, or a pattern with <c>*</c> or <c>?</c> in its last segment; and the hashes keys use.</summary>
internal static class RemoteFiles
{
    /// <summary>Splits a pattern into its folder and its last segment; a path without wildcards has no pattern.</summary>
    public static (string Folder, string? Pattern) Split(string path)
    {
        var slash = path.LastIndexOf('/');
        var last = slash < 0 ? path : path[(slash + 1)..];
        if (last.AsSpan().IndexOfAny('*', '?') < 0)
        {
            return (path, null);
        }

        return (slash < 0 ? "." : slash == 0 ? "/" : path[..slash], last);
    }

    /// <summary>Whether a name matches a pattern (<c>*</c> any run of characters, <c>?</c> one).</summary>
    public static bool Matches(string pattern, string name) => FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: false);

    /// <summary>Joins a folder and a name.</summary>
    public static string Combine(string folder, string name) => folder.EndsWith('/') ? folder + name : folder + "/" + name;

    /// <summary>The temporary name a replacing sink writes under, beside the target: <c>.name.dw-tmp-PID</c>, as the local file sink does.</summary>
    public static string TemporaryPathFor(string path)
    {
        var slash = path.LastIndexOf('/');
        var folder = slash < 0 ? "" : path[..(slash + 1)];
        return folder + "." + path[(slash + 1)..] + ".dw-tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A short hex hash of a text (keys hold it instead of a path, which may hold a secret).</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 12));

    /// <summary>The hash of a file's first bytes that checkpoints keep (non-negative: checkpoints store it as an offset).</summary>
    public static long Fingerprint(ReadOnlySpan<byte> bytes) => BitConverter.ToInt64(SHA256.HashData(bytes).AsSpan(0, 8)) & long.MaxValue;
}
