using System.Globalization;
using System.Text.Json;

namespace DataWeaver.Connectors.Files.Output;

/// <summary>Who holds a <see cref="FileLock"/>: the process, its machine and since when. Written beside the lock for the error a second run gets.</summary>
/// <param name="ProcessId">The holder's process id.</param>
/// <param name="HostName">The machine the holder runs on.</param>
/// <param name="Since">When the holder took the lock.</param>
public sealed record FileLockHolder(int ProcessId, string HostName, DateTimeOffset Since)
{
    /// <summary>Describes the holder for an error message: <c>process 123 on host-a since 2026-12-07T02:19:32Z</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"process {ProcessId} on {HostName} since {Since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");

    internal static FileLockHolder Current(TimeProvider timeProvider) =>
        new(Environment.ProcessId, Environment.MachineName, timeProvider.GetUtcNow());

    internal byte[] ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("pid", ProcessId);
            writer.WriteString("host", HostName);
            writer.WriteString("since", Since);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a holder file; <see langword="null"/> when it is missing, being written or not ours.</summary>
    internal static FileLockHolder? TryRead(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            return new FileLockHolder(
                root.GetProperty("pid").GetInt32(),
                root.GetProperty("host").GetString() ?? "?",
                root.GetProperty("since").GetDateTimeOffset());
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
