using System.Text.Json;

namespace DataWeaver.Formats.Tests.Support;

/// <summary>Reads dead-letter files written as JSON lines.</summary>
internal static class DeadLetters
{
    public static IReadOnlyList<string> Messages(string jsonLines) =>
        [.. jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("error").GetProperty("message").GetString()!)];

    public static IReadOnlyList<byte[]> Payloads(string jsonLines) =>
        [.. jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.TryGetProperty("payloadBase64", out var b) ? b.GetBytesFromBase64() : System.Text.Encoding.UTF8.GetBytes(JsonDocument.Parse(line).RootElement.GetProperty("payload").GetRawText()))];
}
