using DataWeaver.Configuration;
using DataWeaver.Formats.Avro;
using DataWeaver.Formats.Csv;
using DataWeaver.Formats.Protobuf;
using DataWeaver.Http.Configuration;
using DataWeaver.Kafka.Configuration;
using DataWeaver.Mqtt.Configuration;
using DataWeaver.Nats.Configuration;
using DataWeaver.PostgreSql;
using DataWeaver.RabbitMq.Configuration;
using DataWeaver.Sftp.Configuration;
using DataWeaver.Sockets.Configuration;

namespace DataWeaver.Cli;

/// <summary>The one place where the CLI decides which connector types, frameworks and formats definition files may use.</summary>
internal static class CliRegistry
{
    /// <summary>Creates the registry of every command: the built-in connectors, the <c>kafka</c> and <c>nats</c> frameworks, the <c>nats</c>, <c>postgres</c>, <c>rabbitmq</c>, <c>mqtt</c>, <c>http</c>, <c>sftp</c>, <c>tcp</c> and <c>udp</c> sources and sinks, and the <c>csv</c>, <c>avro</c> and <c>protobuf</c> formats.</summary>
    /// <returns>A new registry.</returns>
    public static ConnectorRegistry Create() => ConnectorRegistry.CreateDefault().AddKafka().AddNats().AddPostgreSql().AddRabbitMq().AddMqtt().AddHttp().AddSftp().AddSockets().AddCsv().AddAvro().AddProtobuf();
}
