using System.Buffers;
using CsvHelper;
using DataWeaver.Configuration;
using DataWeaver.Errors;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Formats.Csv;

/// <summary>The <c>csv</c> format for messages: each payload is one row (no header) of the listed columns.</summary>
internal sealed class CsvMessages : IRecordSerializer<JsonRecord>, IRecordDeserializer<JsonRecord>
{
    private readonly CsvFileFormat _format;

    private CsvMessages(CsvFormatOptions options)
    {
        _format = new CsvFileFormat(options with { Header = false });
    }

    public string Format => "csv";

    public static JsonRecordFormat Create(CsvFormatOptions options)
    {
        var codec = new CsvMessages(options);
        return new JsonRecordFormat("csv", codec, codec);
    }

    public void Serialize(in JsonRecord value, IBufferWriter<byte> writer)
    {
        using var memory = new MemoryStream();
        using (var csv = CsvWriter.Create(memory, _format.WriterOptions(), leaveOpen: true))
        {
            var records = new CsvRecords(_format.Options);
            if (_format.Options.Columns.Count > 0)
            {
                records.UseColumns(null);
            }

            records.Encode(value, csv, writeHeader: false);
        }

        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        writer.Write(bytes.TrimEnd("\n"u8));
    }

    public JsonRecord Deserialize(ReadOnlySpan<byte> data)
    {
        if (_format.Options.Columns.Count == 0)
        {
            throw new DeserializationException("csv", 0, "csv messages have no header: list the format's columns");
        }

        using var csv = CsvReader.Create(data.ToArray(), _format.ReaderOptions());
        if (!csv.Read())
        {
            throw new DeserializationException("csv", 0, "the message holds no row");
        }

        var records = new CsvRecords(_format.Options);
        records.UseColumns(null);
        try
        {
            return records.Decode(csv);
        }
        catch (DataWeaverException exception) when (exception.ErrorClass == ErrorClass.Data)
        {
            throw new DeserializationException("csv", 0, exception.Message, exception);
        }
    }

    public JsonRecord Deserialize(in ReadOnlySequence<byte> data) => Deserialize(data.IsSingleSegment ? data.FirstSpan : data.ToArray());
}
