using System.Buffers;
using System.Text.Json;

namespace DataWeaver.Perf.Workloads.W7Quickstart;

/// <summary>
/// The README quickstart (samples/config/quickstart.yaml) written by hand with System.Text.Json, as a performance-minded
/// user writes it: generate each order, keep amount &gt;= 100, look the region up, set priority, write the renamed and
/// trimmed record with a <see cref="Utf8JsonWriter"/> straight into a buffered file. Its output has the same lines and
/// bytes as the pipeline's, but for the <c>processedAt</c> times (the same width).
/// </summary>
internal static class QuickstartLoop
{
    private static readonly string[] Countries = ["DE", "FR", "US", "BR", "JP", "IN", "NG", "AU"];

    /// <summary>Runs the job; returns how many records were written.</summary>
    public static long Run(string path, long orders, TimeProvider time)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var buffer = new ArrayBufferWriter<byte>(1 << 17);
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        Span<byte> stamp = stackalloc byte[32];
        Span<char> customer = stackalloc char[32];
        long written = 0;
        for (long n = 0; n < orders; n++)
        {
            var amount = (n % 500) + 0.99;
            if (amount < 100)
            {
                continue;
            }

            var country = Countries[n % Countries.Length];
            var region = country switch
            {
                "DE" or "FR" or "NG" => "EMEA",
                "US" or "BR" => "AMER",
                _ => "APAC",
            };
            "customer-".CopyTo(customer);
            (n % 10007).TryFormat(customer[9..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
            time.GetUtcNow().UtcDateTime.TryFormat(stamp, out var stampLength, "yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

            json.WriteStartObject();
            json.WriteNumber("id"u8, n);
            json.WriteString("customer"u8, customer[..(9 + digits)]);
            json.WriteNumber("total"u8, amount);
            json.WriteNumber("quantity"u8, (n % 7) + 1);
            json.WriteString("region"u8, region);
            json.WriteBoolean("priority"u8, amount >= 400);
            json.WriteString("processedAt"u8, stamp[..stampLength]);
            json.WriteEndObject();
            json.Flush();
            buffer.GetSpan(1)[0] = (byte)'\n';
            buffer.Advance(1);
            json.Reset();
            written++;
            if (buffer.WrittenCount >= 1 << 16)
            {
                file.Write(buffer.WrittenSpan);
                buffer.ResetWrittenCount();
            }
        }

        file.Write(buffer.WrittenSpan);

        return written;
    }
}
