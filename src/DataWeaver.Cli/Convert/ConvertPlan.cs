using DataWeaver.Cli.Convert.Mapping;
using DataWeaver.Connectors.Files;
using DataWeaver.Formats.Csv.Rows;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Records;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Cli.Convert;

/// <summary>
/// Builds the one-off pipeline of a conversion: a source connector for the input format, a map to the output's
/// records, a sink for the output format. With a schema (the Avro input's, or <c>--schema</c>) records travel as
/// generic Avro values; without one, JSON lines and CSV convert field by field as text.
/// </summary>
internal static class ConvertPlan
{
    /// <summary>The pipeline's name in progress lines and errors.</summary>
    public const string PipelineName = "convert";

    /// <summary>A conversion reads a complete file: a last line without its line end is a line too.</summary>
    private static readonly JsonLinesSourceOptions CompleteFile = new() { ReadUnterminatedLastLine = true };

    /// <summary>Builds the pipeline.</summary>
    /// <param name="request">The conversion.</param>
    /// <param name="target">The file the sink writes (the output is moved there once complete).</param>
    /// <returns>The pipeline, not started.</returns>
    /// <exception cref="ConvertInputException">The formats need a schema that was not given, or the schema does not suit them.</exception>
    public static Pipeline Build(ConvertRequest request, string target)
    {
        var options = new PipelineOptions { Name = PipelineName, CommitInterval = Timeout.InfiniteTimeSpan };
        var (schema, codec) = request.From == ConvertFormat.Avro ? ReadAvroHeader(request) : (request.Schema, AvroCodec.Null);
        if (schema is null)
        {
            return request.To == ConvertFormat.Avro
                ? throw new ConvertInputException($"{ConvertFormats.Name(request.From)} -> avro needs the Avro schema of the records: pass --schema FILE (an .avsc file).")
                : Schemaless(request, options, target);
        }

        var record = request.From == ConvertFormat.Csv || request.To == ConvertFormat.Csv ? CsvCells.RecordOf(schema) : null;
        var values = request.From switch
        {
            ConvertFormat.Avro => Pipeline.From(new AvroFileSource(request.Input, request.Schema), options),
            ConvertFormat.JsonLines => Pipeline.From(new JsonLinesSource(request.Input, CompleteFile), options).Map(line => AvroJsonReader.ReadLine(schema, line), "decode:json"),
            _ => Pipeline.From(new CsvFileSource(request.Input), options).Map(row => (object?)CsvCells.FromRow(record!, row), "decode:csv"),
        };
        switch (request.To)
        {
            case ConvertFormat.Avro:
                values.To(new AvroFileSink(target, schema, request.Codec ?? codec));
                break;
            case ConvertFormat.JsonLines:
                values.To(new JsonLinesSink<object?>(target, AvroJsonWriter.Serializer(schema)));
                break;
            default:
                var header = CsvCells.Header(record!);
                values.Map(value => CsvCells.ToRow(record!, header, value), "encode:csv").To(new CsvFileSink(target, header));
                break;
        }

        return values.Build();
    }

    /// <summary>JSON lines and CSV without a schema: copies, or field by field as text.</summary>
    private static Pipeline Schemaless(ConvertRequest request, PipelineOptions options, string target) => (request.From, request.To) switch
    {
        (ConvertFormat.JsonLines, ConvertFormat.JsonLines) => Pipeline.From(new JsonLinesSource(request.Input, CompleteFile), options).To(JsonLinesSink.Raw(target)).Build(),
        (ConvertFormat.JsonLines, _) => Pipeline.From(new JsonLinesSource(request.Input, CompleteFile), options).Map(JsonRows.FromLine, "decode:json").To(new CsvFileSink(target, null)).Build(),
        (_, ConvertFormat.JsonLines) => Pipeline.From(new CsvFileSource(request.Input), options).To(new JsonLinesSink<CsvRow>(target, JsonRows.Serializer)).Build(),
        _ => Pipeline.From(new CsvFileSource(request.Input), options).To(new CsvFileSink(target, null)).Build(),
    };

    /// <summary>An Avro input's schema (the reader schema when <c>--schema</c> is given) and codec.</summary>
    private static (AvroSchema Schema, AvroCodec Codec) ReadAvroHeader(ConvertRequest request)
    {
        var (writer, codec) = AvroFileSource.ReadHeader(request.Input);
        return (request.Schema ?? writer, codec == "deflate" ? AvroCodec.Deflate : AvroCodec.Null);
    }
}
