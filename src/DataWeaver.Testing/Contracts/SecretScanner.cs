using System.Collections.Concurrent;
using System.Text;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;

namespace DataWeaver.Testing.Contracts;

/// <summary>
/// Collects everything a run produced (record bytes, dead letters, errors, log lines, checkpoints, files) and finds
/// where a secret shows up in it. Thread-safe.
/// </summary>
public sealed class SecretScanner
{
    private readonly ConcurrentBag<(string Where, string Text)> _texts = [];

    /// <summary>Adds a text to scan.</summary>
    /// <param name="where">Names the place, for the failure message.</param>
    /// <param name="text">The text; <see langword="null"/> is ignored.</param>
    public void Add(string where, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            _texts.Add((where, text));
        }
    }

    /// <summary>Adds bytes to scan, as UTF-8 (invalid sequences become U+FFFD, which cannot hide an ASCII canary).</summary>
    /// <param name="where">Names the place.</param>
    /// <param name="bytes">The bytes.</param>
    public void Add(string where, ReadOnlySpan<byte> bytes) => Add(where, Encoding.UTF8.GetString(bytes));

    /// <summary>Adds an error with its whole chain (messages, data and stack of every inner exception).</summary>
    /// <param name="where">Names the place.</param>
    /// <param name="error">The error; <see langword="null"/> is ignored.</param>
    public void AddError(string where, Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            Add(where, e.ToString());
            foreach (var key in e.Data.Keys)
            {
                Add(where + " data", $"{key}={e.Data[key]}");
            }

            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    AddError(where, inner);
                }
            }
        }
    }

    /// <summary>Adds a record: its key, value and headers when it is a record envelope, else its text.</summary>
    /// <param name="where">Names the place.</param>
    /// <param name="record">The record.</param>
    public void AddRecord(string where, object? record)
    {
        Add(where, Describe(record));
    }

    /// <summary>Adds a dead letter: payload, headers, error, stage and source.</summary>
    /// <param name="where">Names the place.</param>
    /// <param name="letter">The dead letter.</param>
    public void AddDeadLetter(string where, DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        Add(where, letter.ToString());
        Add(where + " payload", letter.Payload.Span);
        AddHeaders(where + " headers", letter.Headers);
        AddError(where + " error", letter.Exception);
        AddRecord(where + " value", letter.Value);
    }

    /// <summary>
    /// Takes note of the files under a folder as they are now (size and last write), so that <see cref="AddFiles"/>
    /// can leave out the ones the run did not produce or change (the input the test wrote).
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The files and their state.</returns>
    public static IReadOnlyDictionary<string, (long Length, DateTime LastWrite)> Snapshot(string directory) =>
        !Directory.Exists(directory)
            ? new Dictionary<string, (long, DateTime)>()
            : Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(path => path, path => (new FileInfo(path).Length, File.GetLastWriteTimeUtc(path)));

    /// <summary>Adds every file under a folder that the run produced or changed: its path and its bytes.</summary>
    /// <param name="directory">The folder; nothing is added when it does not exist.</param>
    /// <param name="before">The files as they were before the run (see <see cref="Snapshot"/>); <see langword="null"/> adds every file.</param>
    public void AddFiles(string directory, IReadOnlyDictionary<string, (long Length, DateTime LastWrite)>? before = null)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
        {
            if (before is not null && before.TryGetValue(path, out var was) && File.Exists(path) && was == (new FileInfo(path).Length, File.GetLastWriteTimeUtc(path)))
            {
                continue;
            }

            Add("file name", path);
            if (File.Exists(path))
            {
                Add("file " + path, File.ReadAllBytes(path));
            }
        }
    }

    /// <summary>Lists where <paramref name="secret"/> occurs, with the surrounding text; empty when nowhere.</summary>
    /// <param name="secret">The secret.</param>
    /// <returns>One line per place.</returns>
    public IReadOnlyList<string> FindAll(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return [.. _texts.Where(t => t.Text.Contains(secret, StringComparison.Ordinal)).Select(t => $"{t.Where}: {Excerpt(t.Text, secret)}").Distinct()];
    }

    /// <summary>Gets how many texts were collected.</summary>
    public int Count => _texts.Count;

    internal static string Describe(object? record)
    {
        if (record is not IRecordEnvelope envelope)
        {
            return record switch
            {
                null => string.Empty,
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                ReadOnlyMemory<byte> memory => Encoding.UTF8.GetString(memory.Span),
                _ => record.ToString() ?? string.Empty,
            };
        }

        var text = new StringBuilder();
        text.Append(Encoding.UTF8.GetString(envelope.Key.Span)).Append(' ').Append(Describe(envelope.BoxedValue));
        foreach (var header in envelope.Headers ?? [])
        {
            text.Append(' ').Append(header.Name).Append('=').Append(Encoding.UTF8.GetString(header.Value.Span));
        }

        return text.ToString();
    }

    private void AddHeaders(string where, RecordHeaders headers)
    {
        foreach (var header in headers)
        {
            Add(where, header.Name + "=" + Encoding.UTF8.GetString(header.Value.Span));
        }
    }

    private static string Excerpt(string text, string secret)
    {
        var at = text.IndexOf(secret, StringComparison.Ordinal);
        var start = Math.Max(0, at - 80);
        var end = Math.Min(text.Length, at + secret.Length + 80);
        return text[start..end].ReplaceLineEndings(" ");
    }
}
