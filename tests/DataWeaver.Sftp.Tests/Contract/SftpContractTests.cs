using System.Globalization;
using System.Text;
using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;
using DataWeaver.Sftp.Tests.Support;
using DataWeaver.Testing.Contracts;
using DataWeaver.Testing.Crash;

namespace DataWeaver.Sftp.Tests.Contract;

/// <summary>
/// The <c>sftp</c> source in one format against the source contract, on the real OpenSSH server: the input uploaded to a
/// remote folder of the test's own, checkpoints in the context's store, key authentication with the canary secret as
/// the key's passphrase.
/// </summary>
public abstract class SftpSourceContractTests : SourceContractTests<JsonRecord>
{
    private readonly Dictionary<string, (string Remote, SftpCredentials Credentials)> _inputs = [];

    private protected abstract SftpFormatCase Case { get; }

    protected override async ValueTask<SourceConnector<JsonRecord>> CreateSourceAsync(ContractContext context)
    {
        if (!_inputs.TryGetValue(context.UniqueName, out var input))
        {
            input = ($"{SftpTestServer.NewFolder(Case.Name)}/input{Case.Extension}", SftpCredentials.WithSecret(context.Secret, context.Directory));
            _inputs[context.UniqueName] = input;
            await Case.WriteInputAsync(context.Directory, input.Remote, context.RecordCount);
        }

        var source = Case.Source(context.Directory, input.Remote, input.Credentials);
        return new SftpSource(source.Path, source.Options with { CheckpointStore = context.Checkpoints }, "sftp-input");
    }

    protected override long GetSequence(JsonRecord record) => Case.Id(record);
}

/// <summary>
/// The <c>sftp</c> sink in one format against the sink contract, appending where the format can (the mode behind a
/// checkpointed source). Each test's sink talks to an sshd of its own (same config, same user and files as the shared
/// one), so that the failed-writes test can SIGKILL it; outputs are read back through the shared server.
/// </summary>
public abstract class SftpSinkContractTests : SinkContractTests<JsonRecord>
{
    private readonly Dictionary<string, (string Remote, SftpCredentials Credentials)> _outputs = [];
    private readonly List<OwnSshServer> _servers = [];
    private OwnSshServer? _server;

    private protected abstract SftpFormatCase Case { get; }

    protected override bool KeepsOutputAcrossRuns => Case.CanAppend;

    protected override async ValueTask<SinkConnector<JsonRecord>> CreateSinkAsync(ContractContext context)
    {
        var output = Output(context);
        if (_server is null)
        {
            _server = await OwnSshServer.StartNewAsync();
            _servers.Add(_server);
        }

        return Case.Sink(context.Directory, output.Remote, append: Case.CanAppend, output.Credentials, _server.Port);
    }

    /// <summary>SIGKILLs the sink's server with its connections; disposing starts it again.</summary>
    protected override async ValueTask<IAsyncDisposable?> BreakAsync(ContractContext context)
    {
        var server = _server!;
        await server.KillAsync();
        return new Repair(server);
    }

    protected override JsonRecord CreateRecord(long sequence, ContractContext context) => Case.Record(sequence);

    /// <summary>A replacing sink's durable output is its run's temporary file while the run writes, the target after it.</summary>
    protected override async ValueTask<IReadOnlyList<JsonRecord>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken)
    {
        var remote = Output(context).Remote;
        var writing = remote[..(remote.LastIndexOf('/') + 1)] + "." + remote[(remote.LastIndexOf('/') + 1)..] + ".dw-tmp-" + Environment.ProcessId;
        var ids = Case.CanAppend ? await Case.ReadIdsAsync(context.Directory, remote) : await Case.ReadIdsAsync(context.Directory, writing);
        if (!Case.CanAppend && ids.Count == 0)
        {
            ids = await Case.ReadIdsAsync(context.Directory, remote);
        }

        return [.. ids.Select(Case.Record)];
    }

    protected override long GetSequence(JsonRecord record) => Case.Id(record);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var server in _servers)
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        base.Dispose(disposing);
    }

    private (string Remote, SftpCredentials Credentials) Output(ContractContext context)
    {
        if (!_outputs.TryGetValue(context.UniqueName, out var output))
        {
            output = ($"{SftpTestServer.NewFolder(Case.Name)}/output{Case.Extension}", SftpCredentials.WithSecret(context.Secret, context.Directory));
            _outputs[context.UniqueName] = output;
        }

        return output;
    }

    private sealed class Repair(OwnSshServer server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await server.StartAsync();
    }
}

public sealed class JsonSftpSourceContractTests : SftpSourceContractTests
{
    private Renci.SshNet.SftpClient? _counter;

    private protected override SftpFormatCase Case => SftpFormatCase.Json;

    /// <summary>Lines that are not JSON, with bytes that are not UTF-8, among the good ones: dead-lettered with their exact bytes and byte offsets.</summary>
    protected override async ValueTask<PoisonInput<JsonRecord>?> CreatePoisonSourceAsync(ContractContext context)
    {
        var local = Path.Combine(context.Directory, "poison.jsonl");
        var poison = new List<PoisonRecord>();
        using (var file = File.Create(local))
        {
            for (var i = 0; i < context.RecordCount; i++)
            {
                if (i % 100 == 50)
                {
                    byte[] bad = [.. Encoding.UTF8.GetBytes($"{{\"id\":\"poison-{i}\",\"pad\":"), 0xFF, 0xFE, .. "not json"u8];
                    poison.Add(new PoisonRecord(bad, new SourcePosition(0, file.Position)));
                    file.Write(bad);
                    file.WriteByte((byte)'\n');
                }

                file.Write(Encoding.UTF8.GetBytes($"{{\"id\":{i}}}\n"));
            }
        }

        var remote = $"{SftpTestServer.NewFolder("poison")}/poison.jsonl";
        SftpTestServer.Upload(local, remote);
        var source = Case.Source(context.Directory, remote, SftpCredentials.WithSecret(context.Secret, context.Directory));
        return new PoisonInput<JsonRecord>(new SftpSource(source.Path, source.Options with { CheckpointStore = context.Checkpoints }, "sftp-poison"), poison);
    }

    /// <summary>
    /// The CLI runs an sftp -> sftp definition file (the source checkpointed locally, the sink appending) in a separate
    /// process, SIGKILLed three times at random points and restarted: nothing lost, duplicates within the in-flight bound.
    /// </summary>
    protected override async ValueTask<ProcessCrashScenario?> CreateCrashScenarioAsync(ContractContext context)
    {
        const int Records = 60_000;
        const int MaxInFlight = 256;
        const int LineBytes = 23; // {"id":N,"pad":"..."} padded to one width, so the output's size tells its line count
        var folder = SftpTestServer.NewFolder("crash");
        var local = Path.Combine(context.Directory, "crash-in.jsonl");
        await File.WriteAllLinesAsync(local, Enumerable.Range(0, Records).Select(i => $"{{\"id\":{i},\"pad\":\"{new string('x', 6 - i.ToString(CultureInfo.InvariantCulture).Length)}\"}}"));
        SftpTestServer.Upload(local, $"{folder}/in.jsonl");
        var connection = string.Create(CultureInfo.InvariantCulture, $"host: {SftpTestServer.Host}, port: {SftpTestServer.Port}, username: {SftpTestServer.Username}, password: '${{secret:SFTP_PASSWORD}}', hostKeyFingerprint: '{SftpTestServer.HostKeyFingerprint}'");
        var file = Path.Combine(context.Directory, "crash.yaml");
        var checkpoints = Path.Combine(context.Directory, "crash-checkpoints");
        File.WriteAllText(file, $$"""
            version: 1
            pipelines:
              - name: sftp-crash
                source: { type: sftp, format: json, settings: { path: '{{folder}}/in.jsonl', checkpointDirectory: '{{checkpoints}}', {{connection}} } }
                batch: { size: 32 }
                capacity: { inFlightRecords: {{MaxInFlight}} }
                commitInterval: continuous
                sinks:
                  - { type: sftp, format: json, settings: { path: '{{folder}}/out.jsonl', append: true, {{connection}} } }
            """);
        var output = $"{folder}/out.jsonl";
        _counter ??= SftpTestServer.Client();
        return new ProcessCrashScenario(
            Records,
            _ => Cli.Run(file),
            _ => new(OutputIds(output)),
            _ => new(_counter.Exists(output) ? _counter.GetAttributes(output).Size / LineBytes : 0), // one stat: cheap enough to poll
            new ProcessCrashOptions { Kills = 3, MaxDuplicatesPerKill = MaxInFlight, PollInterval = TimeSpan.FromMilliseconds(10) });
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _counter?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The ids of the complete lines of a remote JSON-lines file (a torn last line is not counted).</summary>
    private static IReadOnlyList<long> OutputIds(string remote)
    {
        var text = Encoding.UTF8.GetString(SftpTestServer.ReadAllBytes(remote));
        var complete = text[..(text.LastIndexOf('\n') + 1)];
        return [.. complete.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => SftpFormatCase.Json.Id(JsonRecord.Parse(line)))];
    }
}

public sealed class TextSftpSourceContractTests : SftpSourceContractTests
{
    private protected override SftpFormatCase Case => SftpFormatCase.Text;
}

public sealed class CsvSftpSourceContractTests : SftpSourceContractTests
{
    private protected override SftpFormatCase Case => SftpFormatCase.Csv;
}

public sealed class AvroSftpSourceContractTests : SftpSourceContractTests
{
    private protected override SftpFormatCase Case => SftpFormatCase.Avro;
}

public sealed class ProtobufSftpSourceContractTests : SftpSourceContractTests
{
    private protected override SftpFormatCase Case => SftpFormatCase.Protobuf;
}

public sealed class JsonSftpSinkContractTests : SftpSinkContractTests
{
    private protected override SftpFormatCase Case => SftpFormatCase.Json;
}

public sealed class TextSftpSinkContractTests : SftpSinkContractTests
{
    private protected override SftpFormatCase Case => SftpFormatCase.Text;
}

public sealed class CsvSftpSinkContractTests : SftpSinkContractTests
{
    private protected override SftpFormatCase Case => SftpFormatCase.Csv;
}

public sealed class AvroSftpSinkContractTests : SftpSinkContractTests
{
    private protected override SftpFormatCase Case => SftpFormatCase.Avro;
}

public sealed class ProtobufSftpSinkContractTests : SftpSinkContractTests
{
    private protected override SftpFormatCase Case => SftpFormatCase.Protobuf;
}
