using System.Globalization;
using DataWeaver.Brokers.Harness;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Files;
using DataWeaver.Hosting;
using DataWeaver.Lifecycle;
using DataWeaver.Mqtt;
using DataWeaver.Nats;
using DataWeaver.Pipelines;
using DataWeaver.RabbitMq;
using DataWeaver.Records;

// A broker -> JSON-lines file pipeline that the source contracts' kill test SIGKILLs and restarts:
//   RabbitMqSource | MqttSource | NatsSource -> map (paced) -> JsonLinesSink(OUTPUT, append: each message's body as one line)
// with continuous commits, so a delivery is acknowledged to the broker only once its line is written.
//   DataWeaver.Brokers.Harness KIND OUTPUT MAX-IN-FLIGHT PAUSE-EVERY KEY=VALUE...
//     rabbitmq host=H port=P queue=Q
//     mqtt     host=H port=P topic=T client-id=C version=V5|V311
//     nats     url=U stream=S durable=D [ack-wait=SECONDS] (deliveries lost in a broker restart come back after it)
// A password, if the broker needs one, comes from DATAWEAVER_BROKER_PASSWORD (never from the command line). The input is
// endless (a broker): SIGTERM/SIGINT drain the run (exit 0); the scenario sends SIGTERM once the output is complete.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: DataWeaver.Brokers.Harness rabbitmq|mqtt|nats OUTPUT MAX-IN-FLIGHT PAUSE-EVERY KEY=VALUE...");
    return 2;
}

var kind = args[0];
var output = args[1];
var maxInFlight = int.Parse(args[2], CultureInfo.InvariantCulture);
var pauseEvery = long.Parse(args[3], CultureInfo.InvariantCulture);
var settings = args.Skip(4).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
var password = Environment.GetEnvironmentVariable("DATAWEAVER_BROKER_PASSWORD");
var client = "brokers-harness-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
var options = new PipelineOptions { Name = "brokers-harness", CommitInterval = TimeSpan.Zero, MaxInFlightRecords = maxInFlight, BatchSize = 32 };

await using var nats = kind == "nats" ? new NatsStreamFramework(new NatsStreamOptions
    {
        Url = settings["url"],
        ClientName = client,
        Password = password,
        AckWait = TimeSpan.FromSeconds(int.Parse(settings.GetValueOrDefault("ack-wait", "60"), CultureInfo.InvariantCulture)),
    }) : null;
SourceConnector<Record<ReadOnlyMemory<byte>>> source;
Func<string> reconnections;
switch (kind)
{
    case "rabbitmq":
        var rabbitMq = new RabbitMqSource(new RabbitMqSourceOptions
        {
            Connection = new RabbitMqConnectionOptions { HostName = settings["host"], Port = Port(settings), Password = password ?? "guest", ClientName = client },
            Queue = settings["queue"],
            PrefetchCount = maxInFlight,
        });
        (source, reconnections) = (rabbitMq, () => rabbitMq.Reconnections.ToString(CultureInfo.InvariantCulture));
        break;
    case "mqtt":
        var mqtt = new MqttSource(new MqttSourceOptions
        {
            Connection = new MqttConnectionOptions
            {
                HostName = settings["host"],
                Port = Port(settings),
                ClientId = settings["client-id"],
                Version = Enum.Parse<MqttVersion>(settings["version"]),
                Password = password,
            },
            Topics = [settings["topic"]],
            MaxInFlight = maxInFlight,
        });
        (source, reconnections) = (mqtt, () => mqtt.Reconnections.ToString(CultureInfo.InvariantCulture));
        break;
    case "nats":
        await nats!.StartAsync();
        source = new NatsSource(nats, new NatsSourceOptions { Stream = settings["stream"], Durable = settings["durable"], MaxAckPending = maxInFlight });
        reconnections = () => "(the NATS client reconnects by itself)";
        break;
    default:
        Console.Error.WriteLine($"unknown broker kind '{kind}'");
        return 2;
}

long seen = 0;
var pipeline = Pipeline.From(source, options)
    .Map(record =>
    {
        if (pauseEvery > 0 && Interlocked.Increment(ref seen) % pauseEvery == 0)
        {
            Thread.Sleep(1); // paces the run so that kills land mid-stream
        }

        return record;
    })
    .To(new JsonLinesSink<Record<ReadOnlyMemory<byte>>>(output, new BodySerializer(), new JsonLinesSinkOptions { Append = true }))
    .Build();
var state = await PipelineShutdown.RunUntilSignalAsync(pipeline, TimeSpan.FromSeconds(30));
// One line per run beside the output, for the tests' logs (and their proof that a broker restart was reconnected to).
var summary = $"state: {state}, mapped {Interlocked.Read(ref seen)}, reconnections {reconnections()}";
Console.WriteLine(summary);
await File.AppendAllTextAsync(output + ".runs", summary + Environment.NewLine);
return state is PipelineState.Completed or PipelineState.Stopped ? 0 : 3;

static int Port(Dictionary<string, string> settings) => int.Parse(settings["port"], CultureInfo.InvariantCulture);
