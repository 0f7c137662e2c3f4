using System.CommandLine;
using DataWeaver.Cli.Run;
using DataWeaver.Configuration;
using DataWeaver.Errors;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Cli.Convert;

/// <summary><c>dataweaver convert IN OUT</c>: a one-off file-to-file pipeline between JSON lines, Avro container files and CSV.</summary>
internal static class ConvertCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="context">The process context.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("IN") { Description = "The file to read." };
        var output = new Argument<string>("OUT") { Description = "The file to write (replaced once the conversion is complete; its folder is created)." };
        var schema = new Option<string>("--schema", "-s") { Description = "An Avro schema (.avsc): needed to write Avro from JSON lines or CSV; types CSV cells; read an Avro input as this schema (schema resolution).", HelpName = "FILE" };
        var from = new Option<string>("--from") { Description = "The input format; the default comes from IN's extension (.jsonl, .ndjson, .avro, .csv).", HelpName = "jsonl|avro|csv" };
        var to = new Option<string>("--to") { Description = "The output format; the default comes from OUT's extension.", HelpName = "jsonl|avro|csv" };
        var codec = new Option<string>("--codec") { Description = "The block codec of an Avro output; the default is the input's for Avro to Avro, else null.", HelpName = "null|deflate" };
        from.AcceptOnlyFromAmong(ConvertFormats.Names);
        to.AcceptOnlyFromAmong(ConvertFormats.Names);
        codec.AcceptOnlyFromAmong("null", "deflate");
        var command = new Command("convert", "Converts a file between JSON lines, Avro Object Container Files and CSV through a one-off pipeline: formats come from the extensions or --from/--to.")
        {
            input,
            output,
            schema,
            from,
            to,
            codec,
        };
        command.SetAction((parse, _) => ExecuteAsync(
            context,
            parse.GetRequiredValue(input),
            parse.GetRequiredValue(output),
            parse.GetValue(schema),
            parse.GetValue(from),
            parse.GetValue(to),
            parse.GetValue(codec)));
        return command;
    }

    private static async Task<int> ExecuteAsync(CliContext context, string input, string output, string? schemaFile, string? from, string? to, string? codecName)
    {
        ConvertRequest request;
        Pipelines.Pipeline pipeline;
        var target = context.FullPath(output) + ".partial";
        try
        {
            request = Describe(context, input, output, schemaFile, from, to, codecName);
            pipeline = ConvertPlan.Build(request, target);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        }
        catch (Exception exception) when (exception is ConvertInputException or DataWeaverException or IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"convert: {exception.Message}");
            return ExitCodes.InvalidInput;
        }

        var manager = new PipelineManager();
        await using (manager.ConfigureAwait(false))
        {
            var managed = manager.CreatePipeline(pipeline);
            var outcome = await RunSession.RunAsync(context, manager, [managed], new RunSettings(RunSettings.DefaultDrainTimeout, RunSettings.DefaultProgressInterval), static text => text).ConfigureAwait(false);
            if (outcome == RunOutcome.Completed)
            {
                File.Move(target, request.Output, overwrite: true);
                var records = managed.LastRun!.Statistics.RecordsWritten;
                context.Out.WriteLine($"wrote {output} ({ConvertFormats.Name(request.To)}): {records:N0} records from {input} ({ConvertFormats.Name(request.From)})");
                return ExitCodes.Success;
            }

            File.Delete(target);
            if (outcome == RunOutcome.Failed)
            {
                return ExitCodes.RuntimeFailure;
            }

            context.Error.WriteLine($"convert: interrupted; {output} was not written");
            return ExitCodes.Aborted;
        }
    }

    private static ConvertRequest Describe(CliContext context, string input, string output, string? schemaFile, string? from, string? to, string? codecName)
    {
        var inputPath = context.FullPath(input);
        var outputPath = context.FullPath(output);
        if (!File.Exists(inputPath))
        {
            throw new ConvertInputException($"{input}: no such file.");
        }

        if (string.Equals(inputPath, outputPath, StringComparison.Ordinal))
        {
            throw new ConvertInputException("IN and OUT are the same file; write to another one.");
        }

        var request = new ConvertRequest(
            inputPath,
            outputPath,
            ConvertFormats.Of(from, input, "--from"),
            ConvertFormats.Of(to, output, "--to"),
            schemaFile is null ? null : ReadSchema(context, schemaFile),
            codecName switch { null => null, "deflate" => AvroCodec.Deflate, _ => AvroCodec.Null });
        return request.Codec is not null && request.To != ConvertFormat.Avro
            ? throw new ConvertInputException("--codec applies to an Avro output only.")
            : request;
    }

    private static AvroSchema ReadSchema(CliContext context, string file)
    {
        try
        {
            return AvroSchema.Parse(File.ReadAllText(context.FullPath(file)));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or AvroSchemaException)
        {
            throw new ConvertInputException($"{file}: {exception.Message}", exception);
        }
    }
}
