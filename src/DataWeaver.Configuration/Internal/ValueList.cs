using System.Collections;

namespace DataWeaver.Configuration.Internal;

/// <summary>An immutable list with structural equality, so definitions that hold lists compare by content.</summary>
internal sealed class ValueList<T>(IEnumerable<T> items, bool hidden = false) : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items = [.. items];

    public static ValueList<T> Empty { get; } = new([]);

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public bool Equals(ValueList<T>? other) => other is not null && _items.SequenceEqual(other._items);

    public override bool Equals(object? obj) => obj is IEnumerable<T> other && _items.SequenceEqual(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <summary>Lists the items; a list of secrets only says how many it holds.</summary>
    public override string ToString() => hidden ? $"[{_items.Length} hidden]" : "[" + string.Join(", ", _items) + "]";
}
