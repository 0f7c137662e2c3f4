using DataWeaver.Serialization.Avro.Internal.Reading;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Resolution;

/// <summary>
/// Checks that data written with one schema can be read with another, per the specification's resolution
/// rules: numeric promotions (int to long/float/double, long to float/double, float to double), string and
/// bytes, added fields with defaults, removed fields, enum defaults, unions on either side and aliases. The
/// resolution built here is cached and used by every reader of the pair.
/// </summary>
public static class SchemaResolver
{
    /// <summary>Builds (or finds cached) the resolution of <paramref name="writer"/> to <paramref name="reader"/>.</summary>
    /// <param name="writer">The schema the data is written with.</param>
    /// <param name="reader">The schema to read it as.</param>
    /// <exception cref="AvroSchemaException">The schemas cannot be resolved; the exception names where and why.</exception>
    public static void EnsureCompatible(AvroSchema writer, AvroSchema reader)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(reader);
        ReadPlanBuilder.Get(writer, reader);
    }

    /// <summary>Tells whether data written with <paramref name="writer"/> can be read with <paramref name="reader"/>.</summary>
    /// <param name="writer">The writer schema.</param>
    /// <param name="reader">The reader schema.</param>
    /// <param name="problem">Why not, when they cannot be resolved.</param>
    /// <returns><see langword="true"/> when they can be resolved.</returns>
    public static bool CanRead(AvroSchema writer, AvroSchema reader, out string? problem)
    {
        try
        {
            EnsureCompatible(writer, reader);
            problem = null;
            return true;
        }
        catch (AvroSchemaException ex)
        {
            problem = ex.Message;
            return false;
        }
    }
}
