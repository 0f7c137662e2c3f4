using System.Text;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// Builds a <see cref="JsonRecordTransform"/> from field operations (set, rename, drop), each on a field or nested
/// path. Sealed and fluent; validates each operation as it is added; builds once. Not thread-safe.
/// </summary>
public sealed class JsonRecordTransformBuilder
{
    private readonly JsonRecordTransform.Node _root = new(null, []);
    private bool _built;

    /// <summary>Sets a field: replaces its value, or adds it at the end of its object. Missing objects along the path are created.</summary>
    /// <param name="path">The dotted path of the field, e.g. <c>customer.tier</c>.</param>
    /// <param name="value">The value (strings, numbers and booleans convert implicitly).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The path is invalid or conflicts with an operation already added.</exception>
    public JsonRecordTransformBuilder Set(string path, JsonFieldValue value) => Set(JsonFieldPath.Parse(path), value);

    /// <summary>Sets a field: replaces its value, or adds it at the end of its object. Missing objects along the path are created.</summary>
    /// <param name="path">The field.</param>
    /// <param name="value">The value.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The path conflicts with an operation already added.</exception>
    public JsonRecordTransformBuilder Set(JsonFieldPath path, JsonFieldValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var node = Leaf(path, JsonRecordTransform.Operation.Set);
        node.Value = value;
        return this;
    }

    /// <summary>
    /// Sets a field to a value computed from the whole record (the record as it was before this transform): replaces
    /// its value, or adds it at the end of its object. When <paramref name="compute"/> returns <see langword="null"/>,
    /// the field is left as it is (and not added when missing). Allocates what <paramref name="compute"/> allocates.
    /// </summary>
    /// <param name="path">The field.</param>
    /// <param name="compute">Computes the value. MUST be thread-safe; an exception it throws fails the record.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The path conflicts with an operation already added.</exception>
    public JsonRecordTransformBuilder Set(JsonFieldPath path, Func<JsonRecord, JsonFieldValue?> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        var node = Leaf(path, JsonRecordTransform.Operation.Set);
        node.Compute = compute;
        return this;
    }

    /// <summary>
    /// Rewrites a field's value from its current value, in the transform's one pass and without allocating: where the
    /// record has the field, <paramref name="update"/> gets its value and writes the new one. A missing field stays
    /// missing; when the record has several fields of that name, the first is updated and the others are copied.
    /// </summary>
    /// <param name="path">The field.</param>
    /// <param name="update">Writes the new value. MUST be thread-safe; an exception it throws fails the record.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The path conflicts with an operation already added.</exception>
    public JsonRecordTransformBuilder Update(JsonFieldPath path, JsonFieldUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var node = Leaf(path, JsonRecordTransform.Operation.Update);
        node.Update = update;
        return this;
    }

    /// <summary>Renames a field, keeping its place and value; nothing happens when it is missing. A field already named <paramref name="newName"/> stays: drop it too to replace it.</summary>
    /// <param name="path">The dotted path of the field.</param>
    /// <param name="newName">The new name, in the same object (not a path).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The path or name is invalid or conflicts with an operation already added.</exception>
    public JsonRecordTransformBuilder Rename(string path, string newName) => Rename(JsonFieldPath.Parse(path), newName);

    /// <summary>Renames a field, keeping its place and value; nothing happens when it is missing.</summary>
    /// <param name="path">The field.</param>
    /// <param name="newName">The new name, in the same object.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is empty or the path conflicts with an operation already added.</exception>
    public JsonRecordTransformBuilder Rename(JsonFieldPath path, string newName)
    {
        ArgumentException.ThrowIfNullOrEmpty(newName);
        var node = Leaf(path, JsonRecordTransform.Operation.Rename);
        node.NewName = Encoding.UTF8.GetBytes(newName);
        return this;
    }

    /// <summary>Drops a field (every field of that name in its object); nothing happens when it is missing.</summary>
    /// <param name="path">The dotted path of the field.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The path is invalid or conflicts with an operation already added.</exception>
    public JsonRecordTransformBuilder Drop(string path) => Drop(JsonFieldPath.Parse(path));

    /// <summary>Drops a field (every field of that name in its object); nothing happens when it is missing.</summary>
    /// <param name="path">The field.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The path conflicts with an operation already added.</exception>
    public JsonRecordTransformBuilder Drop(JsonFieldPath path)
    {
        Leaf(path, JsonRecordTransform.Operation.Drop);
        return this;
    }

    /// <summary>Builds the immutable transform. A builder builds once.</summary>
    /// <returns>The transform.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built its transform.</exception>
    public JsonRecordTransform Build()
    {
        ThrowIfBuilt();
        _built = true;
        _root.Freeze();
        return new JsonRecordTransform(_root);
    }

    private JsonRecordTransform.Node Leaf(JsonFieldPath path, JsonRecordTransform.Operation operation)
    {
        ArgumentNullException.ThrowIfNull(path);
        ThrowIfBuilt();
        var node = _root;
        for (var i = 0; i < path.Names.Count; i++)
        {
            if (node.Operation is JsonRecordTransform.Operation.Set or JsonRecordTransform.Operation.Drop or JsonRecordTransform.Operation.Update)
            {
                throw Conflict(path, node);
            }

            var child = node.Children.Find(c => c.Name == path.Names[i]);
            if (child is null)
            {
                child = new JsonRecordTransform.Node(path.Names[i], []);
                node.Children.Add(child);
            }

            node = child;
        }

        if (node.Operation != JsonRecordTransform.Operation.Keep
            || (operation is JsonRecordTransform.Operation.Set or JsonRecordTransform.Operation.Drop or JsonRecordTransform.Operation.Update && node.Children.Count > 0))
        {
            throw Conflict(path, node);
        }

        node.Operation = operation;
        return node;
    }

    private static ArgumentException Conflict(JsonFieldPath path, JsonRecordTransform.Node node) =>
        new($"The field '{path}' conflicts with an earlier operation on '{node.Name}': one operation per field, and nothing below a field that is set or dropped.", nameof(path));

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            ThrowHelper.ThrowInvalidOperation("Cannot change a JSON record transform builder after it has built its transform.");
        }
    }
}
