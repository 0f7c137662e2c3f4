using System.Text.Json;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// Rewrites one field's value for <see cref="JsonRecordTransformBuilder.Update"/>: reads <paramref name="current"/>
/// and writes the new value with <paramref name="writer"/> (exactly one value: a number, a string, an object...), then
/// returns <see langword="true"/>; or writes nothing and returns <see langword="false"/> to keep the value as it is.
/// Called on the transform's thread for every record that has the field. MUST be thread-safe; MUST NOT keep
/// <paramref name="current"/> or <paramref name="writer"/> after it returns.
/// </summary>
/// <param name="current">The field's value in the record (borrowed, like the record).</param>
/// <param name="writer">The transform's writer, positioned after the field's name.</param>
/// <returns>Whether a new value was written.</returns>
public delegate bool JsonFieldUpdate(JsonField current, Utf8JsonWriter writer);
