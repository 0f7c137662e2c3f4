using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CsvHelper;
using DataWeaver.Benchmarks.Serialization.Messages;
using DataWeaver.Configuration;
using DataWeaver.Formats.Avro;
using DataWeaver.Formats.Csv;
using DataWeaver.Formats.Protobuf;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DataWeaver.Benchmarks.Formats;

/// <summary>
/// File -> file in one format through a pipeline definition file (YAML loaded, a <c>file</c> source and sink, records
/// as JSON objects in between: the path <c>dataweaver run</c> takes), against a hand-written loop with the same library
/// as the Baseline. 50,000 records of six fields; per record.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(FormatBenchmarkConfig))]
public abstract class FormatFileBenchmarks
{
    public const int RecordCount = 50_000;

    /// <summary>The records in the input: <see cref="RecordCount"/>, or <c>DATAWEAVER_PROBE_RECORDS</c> for the probe (a per-run cost shows as a per-record cost that falls with more records).</summary>
    public static readonly int Records = int.TryParse(Environment.GetEnvironmentVariable("DATAWEAVER_PROBE_RECORDS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : RecordCount;

    private string _yaml = "";
    private ConnectorRegistry _registry = null!;

    protected string Folder { get; private set; } = "";

    protected string Input => Path.Combine(Folder, "input." + Extension);

    protected string Output => Path.Combine(Folder, "output." + Extension);

    protected abstract string Extension { get; }

    internal string FolderPath => Folder;

    internal string Ext => Extension;

    protected abstract string Format { get; }

    /// <summary>The sink's format: <c>DATAWEAVER_PROBE_SINK_FORMAT</c> (a decode-heavy variant, e.g. csv -> json), by default the source's.</summary>
    private static string? SinkFormat => Environment.GetEnvironmentVariable("DATAWEAVER_PROBE_SINK_FORMAT");

    [GlobalSetup]
    public void Setup()
    {
        Folder = Directory.CreateTempSubdirectory("dataweaver-formats-bench-").FullName;
        WriteInput();
        _registry = ConnectorRegistry.CreateDefault().AddCsv().AddAvro().AddProtobuf();
        _yaml = $$"""
            version: 1
            pipelines:
              - name: copy
                source: { type: file, format: {{Format}}, settings: { path: "{{Input}}" } }
                sinks: [{ type: file, format: {{SinkFormat ?? Format}}, settings: { path: "{{Output}}" } }]
            """;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(Folder, recursive: true);

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public async Task<long> DefinitionFilePipeline()
    {
        var file = PipelineDefinitionLoader.Parse(_yaml, "copy.yaml", new PipelineLoadOptions { Registry = _registry, BaseDirectory = Folder });
        await using var factory = new PipelineFactory(_registry, new PipelineFactoryOptions { BaseDirectory = Folder });
        await factory.Create(file.Pipelines[0]).RunAsync().ConfigureAwait(false);
        return new FileInfo(Output).Length;
    }

    protected abstract void WriteInput();

    protected static (long Id, string User, double Amount, int Qty, string Country, long Ts) Row(int i) =>
        (1_000_000 + i, "user-" + (i % 100_000).ToString("D5", CultureInfo.InvariantCulture), (i % 99_999) / 100.0, (i % 8) + 1, "FR", 1_732_190_000_000 + i);
}

/// <summary>JSON lines; Baseline: lines cut from 64 KiB reads, each validated with <see cref="Utf8JsonReader"/> and written with a <see cref="FileStream"/>.</summary>
public class JsonFormatBenchmarks : FormatFileBenchmarks
{
    protected override string Extension => "jsonl";

    protected override string Format => "json";

    [Benchmark(Baseline = true, OperationsPerInvoke = RecordCount)]
    public long Utf8JsonReaderLoop()
    {
        using var input = new FileStream(Input, FileMode.Open, FileAccess.Read, FileShare.Read, 0);
        using var output = new FileStream(Output, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024);
        var buffer = new byte[64 * 1024];
        int pending = 0, read;
        long lines = 0;
        while ((read = input.Read(buffer, pending, buffer.Length - pending)) > 0)
        {
            var filled = pending + read;
            var start = 0;
            int end;
            while ((end = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
            {
                var line = buffer.AsSpan(start, end);
                var reader = new Utf8JsonReader(line);
                while (reader.Read())
                {
                }

                output.Write(buffer.AsSpan(start, end + 1));
                lines++;
                start += end + 1;
            }

            pending = filled - start;
            buffer.AsSpan(start, pending).CopyTo(buffer);
        }

        return lines;
    }

    protected override void WriteInput()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Records; i++)
        {
            var r = Row(i);
            text.Append(CultureInfo.InvariantCulture, $"{{\"id\":{r.Id},\"user\":\"{r.User}\",\"amount\":{r.Amount},\"qty\":{r.Qty},\"country\":\"{r.Country}\",\"ts\":{r.Ts}}}\n");
        }

        File.WriteAllText(Input, text.ToString());
    }
}

/// <summary>CSV with a header; Baseline: CsvHelper's reader into its writer, field by field.</summary>
public class CsvFormatBenchmarks : FormatFileBenchmarks
{
    protected override string Extension => "csv";

    protected override string Format => "csv";

    [Benchmark(Baseline = true, OperationsPerInvoke = RecordCount)]
    public long CsvHelperLoop()
    {
        using var reader = CsvReader.Create(File.OpenRead(Input), CsvReaderOptions.Default with { Separator = ',' });
        using var writer = CsvWriter.Create(File.Create(Output), CsvWriterOptions.Default with { NewLine = "\n" });
        reader.ReadHeader();
        writer.WriteHeader([.. reader.Headers]);
        long rows = 0;
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                writer.WriteField(reader.GetSpan(i));
            }

            writer.EndRecord();
            rows++;
        }

        return rows;
    }

    protected override void WriteInput()
    {
        var text = new StringBuilder("id,user,amount,qty,country,ts\n");
        for (var i = 0; i < Records; i++)
        {
            var r = Row(i);
            text.Append(CultureInfo.InvariantCulture, $"{r.Id},{r.User},{r.Amount},{r.Qty},{r.Country},{r.Ts}\n");
        }

        File.WriteAllText(Input, text.ToString());
    }
}

/// <summary>Avro container files; Baseline: the Avro codec's container reader into its writer, as generic records.</summary>
public class AvroFormatBenchmarks : FormatFileBenchmarks
{
    private static readonly AvroSchema Schema = AvroSchema.Parse("""{"type":"record","name":"Row","fields":[{"name":"id","type":"long"},{"name":"user","type":"string"},{"name":"amount","type":"double"},{"name":"qty","type":"int"},{"name":"country","type":"string"},{"name":"ts","type":"long"}]}""");

    protected override string Extension => "avro";

    protected override string Format => "{ type: avro, settings: { schemaFile: row.avsc } }";

    [Benchmark(Baseline = true, OperationsPerInvoke = RecordCount)]
    public long AvroCodecLoop()
    {
        using var reader = AvroContainerReader.Open(File.OpenRead(Input));
        using var writer = new AvroContainerWriter(File.Create(Output), reader.WriterSchema);
        long records = 0;
        foreach (var record in reader.ReadAll())
        {
            writer.Append(record);
            records++;
        }

        return records;
    }

    protected override void WriteInput()
    {
        File.WriteAllText(Path.Combine(Folder, "row.avsc"), Schema.ToJson());
        using var writer = new AvroContainerWriter(File.Create(Input), Schema);
        for (var i = 0; i < Records; i++)
        {
            var r = Row(i);
            var record = new GenericRecord((RecordSchema)Schema);
            record["id"] = r.Id;
            record["user"] = r.User;
            record["amount"] = r.Amount;
            record["qty"] = r.Qty;
            record["country"] = r.Country;
            record["ts"] = r.Ts;
            writer.Append(record);
        }
    }
}

/// <summary>Length-delimited Protobuf; Baseline: Google.Protobuf's generated parser and <c>WriteDelimitedTo</c>.</summary>
public class ProtobufFormatBenchmarks : FormatFileBenchmarks
{
    protected override string Extension => "pb";

    protected override string Format => "{ type: protobuf, settings: { descriptorSet: trade.desc, messageType: dataweaver.benchmarks.ProtoTrade } }";

    [Benchmark(Baseline = true, OperationsPerInvoke = RecordCount)]
    public long GoogleProtobufLoop()
    {
        using var input = new BufferedStream(File.OpenRead(Input), 64 * 1024);
        using var output = new BufferedStream(File.Create(Output), 64 * 1024);
        long records = 0;
        while (input.Position < input.Length)
        {
            ProtoTrade.Parser.ParseDelimitedFrom(input).WriteDelimitedTo(output);
            records++;
        }

        return records;
    }

    protected override void WriteInput()
    {
        var set = new FileDescriptorSet();
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(ProtoTrade.Descriptor.File.SerializedData));
        File.WriteAllBytes(Path.Combine(Folder, "trade.desc"), set.ToByteArray());
        using var output = File.Create(Input);
        for (var i = 0; i < Records; i++)
        {
            var r = Row(i);
            new ProtoTrade { Id = r.Id, Symbol = r.User, Price = r.Amount, Quantity = r.Qty, Venue = r.Country, TimestampMicros = r.Ts, IsBuy = i % 2 == 0, OrderId = "o-" + i, Account = "acct" }.WriteDelimitedTo(output);
        }
    }
}

/// <summary>A short in-process job (one launch, two warm-ups, five iterations of 50,000 records): the suite runs in a minute or two.</summary>
public sealed class FormatBenchmarkConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public FormatBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance));
    }
}
