using System.Collections;
using System.Text;

namespace DataWeaver.Records;

/// <summary>
/// The headers of a record, in the order they were added. Names may repeat, as in Kafka.
/// Not thread-safe: a record has one owner at a time.
/// </summary>
public sealed class RecordHeaders : IReadOnlyList<RecordHeader>
{
    private readonly List<RecordHeader> _headers;

    /// <summary>Creates an empty header list.</summary>
    public RecordHeaders()
    {
        _headers = [];
    }

    /// <summary>Creates a header list holding copies of the given headers.</summary>
    /// <param name="headers">The headers to copy.</param>
    public RecordHeaders(IEnumerable<RecordHeader> headers)
    {
        _headers = [.. headers];
    }

    /// <inheritdoc />
    public int Count => _headers.Count;

    /// <inheritdoc />
    public RecordHeader this[int index] => _headers[index];

    /// <summary>Adds a header.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The header value.</param>
    /// <returns>This list, for chaining.</returns>
    public RecordHeaders Add(string name, ReadOnlyMemory<byte> value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _headers.Add(new RecordHeader(name, value));
        return this;
    }

    /// <summary>Adds a header with a UTF-8 text value.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The header value, stored as UTF-8.</param>
    /// <returns>This list, for chaining.</returns>
    public RecordHeaders Add(string name, string value) => Add(name, Encoding.UTF8.GetBytes(value));

    /// <summary>Finds the last header with the given name.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The value of the last header with that name, when found.</param>
    /// <returns><see langword="true"/> when a header with that name exists.</returns>
    public bool TryGetLast(string name, out ReadOnlyMemory<byte> value)
    {
        for (var i = _headers.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_headers[i].Name, name, StringComparison.Ordinal))
            {
                value = _headers[i].Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Gets the last header with the given name as UTF-8 text, or <see langword="null"/>.</summary>
    /// <param name="name">The header name.</param>
    /// <returns>The decoded value, or <see langword="null"/> when absent.</returns>
    public string? GetLastString(string name) => TryGetLast(name, out var v) ? Encoding.UTF8.GetString(v.Span) : null;

    /// <summary>Removes every header with the given name.</summary>
    /// <param name="name">The header name.</param>
    /// <returns>How many headers were removed.</returns>
    public int Remove(string name) => _headers.RemoveAll(h => string.Equals(h.Name, name, StringComparison.Ordinal));

    /// <inheritdoc />
    public IEnumerator<RecordHeader> GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
