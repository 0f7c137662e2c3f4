using System.Globalization;
using System.Text.Json;
using DataWeaver.Errors;
using DataWeaver.Formats.Csv.Rows;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Records;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Cli.Convert.Mapping;

/// <summary>
/// Records as CSV rows: one column per field of a record schema, each cell the text form of the field's value (as in
/// JSON, unquoted: numbers, <c>true</c>/<c>false</c>, base64, symbols, ISO-8601, decimal strings); nested records,
/// arrays and maps as their JSON text; <see langword="null"/> as an empty cell. Reading converts each cell per the
/// field's type; an empty cell is <see langword="null"/> for a nullable field.
/// </summary>
internal static class CsvCells
{
    /// <summary>Gets the record schema CSV needs, or fails with a message.</summary>
    /// <param name="schema">The schema.</param>
    /// <returns>The record schema.</returns>
    /// <exception cref="ConvertInputException">The schema is not a record.</exception>
    public static RecordSchema RecordOf(AvroSchema schema) => schema as RecordSchema
        ?? throw new ConvertInputException($"CSV holds records, one column per field; the schema's top level is {AvroText.Describe(schema)}.");

    /// <summary>Creates the header of a record schema: its field names.</summary>
    /// <param name="schema">The record schema.</param>
    /// <returns>The header.</returns>
    public static CsvHeader Header(RecordSchema schema) => new([.. schema.Fields.Select(f => f.Name)]);

    /// <summary>Turns a generic record into a row under <paramref name="header"/>.</summary>
    /// <param name="schema">The record schema.</param>
    /// <param name="header">The header made by <see cref="Header"/>.</param>
    /// <param name="value">The generic record.</param>
    /// <returns>The row.</returns>
    public static CsvRow ToRow(RecordSchema schema, CsvHeader header, object? value)
    {
        var record = value as GenericRecord ?? throw new DataWeaverException(ErrorClass.Data, $"expected a record of '{schema.FullName}', found {value?.GetType().Name ?? "null"}");
        var cells = new string?[schema.Fields.Count];
        foreach (var field in schema.Fields)
        {
            cells[field.Position] = Format(field.Schema, record[field.Position]);
        }

        return new CsvRow(header, cells, 0);
    }

    /// <summary>Turns a row into a generic record: cells by column name; a field without a column takes its default.</summary>
    /// <param name="schema">The record schema.</param>
    /// <param name="row">The row.</param>
    /// <returns>The generic record.</returns>
    /// <exception cref="DataWeaverException">A cell does not fit its field, a column is not a field, or a field without default has no column (a data error naming the row).</exception>
    public static GenericRecord FromRow(RecordSchema schema, CsvRow row)
    {
        var record = new GenericRecord(schema);
        foreach (var field in schema.Fields)
        {
            var index = row.Header.IndexOf(field.Name);
            if (index < 0)
            {
                record[field.Position] = field.HasDefault
                    ? field.GetDefaultValue()
                    : throw new DataWeaverException(ErrorClass.Data, $"row {row.Row}: there is no column '{field.Name}', and the field has no default");
            }
            else if (TryParse(field.Schema, row.Values[index] ?? string.Empty, out var value, out var failure))
            {
                record[field.Position] = value;
            }
            else
            {
                throw new DataWeaverException(ErrorClass.Data, $"row {row.Row}, column '{field.Name}': {failure!.Within("." + field.Name)}");
            }
        }

        foreach (var name in row.Header.Names)
        {
            if (!schema.TryGetField(name, out _))
            {
                throw new DataWeaverException(ErrorClass.Data, $"row {row.Row}: the column '{name}' is not a field of record '{schema.FullName}' (its fields: {string.Join(", ", schema.Fields.Select(f => f.Name))})");
            }
        }

        return record;
    }

    /// <summary>Formats a value as a cell.</summary>
    /// <param name="schema">The value's schema.</param>
    /// <param name="value">The generic value.</param>
    /// <returns>The cell text; empty for <see langword="null"/>.</returns>
    public static string Format(AvroSchema schema, object? value)
    {
        var branch = UnionBranches.Resolve(schema, value);
        return (branch.Type, value) switch
        {
            (AvroType.Null, _) => string.Empty,
            (AvroType.Record or AvroType.Array or AvroType.Map, _) => AvroJsonWriter.ToJson(branch, value),
            (_, bool b) => b ? "true" : "false",
            (_, int i) => i.ToString(CultureInfo.InvariantCulture),
            (_, long l) => l.ToString(CultureInfo.InvariantCulture),
            (_, float f) => AvroText.FormatFloat(f),
            (_, double d) => AvroText.FormatDouble(d),
            (_, string s) => s,
            (_, byte[] bytes) => System.Convert.ToBase64String(bytes),
            (_, GenericFixed f) => System.Convert.ToBase64String(f.Value),
            (_, GenericEnum e) => e.Symbol,
            _ => AvroText.TryFormatLogical(branch, value, out var text)
                ? text
                : throw new DataWeaverException(ErrorClass.Data, $"a value of type {value?.GetType().Name ?? "null"} does not fit {AvroText.Describe(branch)}"),
        };
    }

    /// <summary>Reads a cell as a value of a schema.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="text">The cell.</param>
    /// <param name="value">The generic value, when it fits.</param>
    /// <param name="failure">Why it does not fit.</param>
    /// <returns><see langword="true"/> when the cell fits.</returns>
    public static bool TryParse(AvroSchema schema, string text, out object? value, out MappingFailure? failure)
    {
        (value, failure) = (null, null);
        switch (schema.Type)
        {
            case AvroType.Union:
                var branches = ((UnionSchema)schema).Branches;
                if (text.Length == 0 && branches.Any(b => b.Type == AvroType.Null))
                {
                    return true;
                }

                foreach (var branch in branches)
                {
                    if (TryParse(branch, text, out value, out _))
                    {
                        return true;
                    }
                }

                failure = new MappingFailure($"no branch of union [{string.Join(", ", branches.Select(AvroText.Describe))}] accepts \"{text}\"");
                return false;
            case AvroType.Null when text.Length == 0:
                return true;
            case AvroType.Boolean when bool.TryParse(text, out var b):
                value = b;
                return true;
            case AvroType.Int when schema.LogicalType == AvroLogicalType.None && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i):
                value = i;
                return true;
            case AvroType.Long when schema.LogicalType == AvroLogicalType.None && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l):
                value = l;
                return true;
            case AvroType.Float when float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f):
                value = f;
                return true;
            case AvroType.Double when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d):
                value = d;
                return true;
            case AvroType.Record or AvroType.Array or AvroType.Map:
                return TryParseJson(schema, text, out value, out failure);
            case AvroType.Null or AvroType.Boolean or AvroType.Int or AvroType.Long when schema.LogicalType == AvroLogicalType.None:
                failure = new MappingFailure($"expected {AvroText.Describe(schema)}, found \"{text}\"");
                return false;
            default:
                return AvroText.TryParse(schema, text, out value, out failure);
        }
    }

    private static bool TryParseJson(AvroSchema schema, string text, out object? value, out MappingFailure? failure)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return AvroJsonReader.TryRead(schema, document.RootElement, out value, out failure);
        }
        catch (JsonException)
        {
            (value, failure) = (null, new MappingFailure($"expected the JSON text of {AvroText.Describe(schema)}, found \"{text}\""));
            return false;
        }
    }
}
