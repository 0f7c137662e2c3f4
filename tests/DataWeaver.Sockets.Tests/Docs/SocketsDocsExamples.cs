using System.Globalization;
using System.Net.Sockets;
using System.Text;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Sockets.Tests.Support;

namespace DataWeaver.Sockets.Tests.Docs;

/// <summary>The code of docs/sockets.md, run.</summary>
public sealed class SocketsDocsExamples
{
    [Fact]
    public async Task AcknowledgedIngest_DocsExample_ClientKnowsEveryLineWasDelivered()
    {
        var sink = new CollectionSink<Record<ReadOnlyMemory<byte>>>();

        // snippet: sockets-tcp-source
        var source = new TcpSource(new TcpSourceOptions
        {
            Listen = "127.0.0.1:0",                     // port 0: any free port (source.LocalEndPoint)
            Framing = SocketFraming.NewlineDelimited,   // or LengthPrefixed: 4-byte big-endian length, then the bytes
            MaxInFlightRecords = 4_096,                 // at the bound the sockets are not read
            Acknowledgements = true,                    // each client is told how many of its lines are committed
        });
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero })
            .To(sink)
            .Build()
            .Start();
        // end snippet
        await Wait.UntilAsync(() => source.LocalEndPoint is not null, "the source listens");
        var address = source.LocalEndPoint!;
        string[] lines = ["{\"id\":1}", "{\"id\":2}", "{\"id\":3}"];
        long acknowledged = 0;

        // snippet: sockets-tcp-client
        using var client = new TcpClient();
        await client.ConnectAsync(address);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Select(line => line + "\n"))));
        using var acks = new StreamReader(stream, Encoding.ASCII);
        while (acknowledged < lines.Length && await acks.ReadLineAsync() is { } ack)
        {
            acknowledged = long.Parse(ack, CultureInfo.InvariantCulture);   // my first N lines are delivered
        }
        // end snippet
        var delivered = sink.Records.Select(r => Encoding.UTF8.GetString(r.Value.Span)).ToList(); // read when acknowledged: already written
        client.Close();
        await run.StopAsync();

        Assert.Equal(3, acknowledged);
        Assert.Equal(lines, delivered);
    }
}
