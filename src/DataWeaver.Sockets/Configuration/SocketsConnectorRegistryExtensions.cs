using System.Globalization;
using DataWeaver.Configuration;

namespace DataWeaver.Sockets.Configuration;

/// <summary>Adds sockets to pipeline definition files: the <c>tcp</c> source (a server) and sink (a client), the <c>udp</c> source and sink.</summary>
public static class SocketsConnectorRegistryExtensions
{
    /// <summary>The TCP connectors' type name in definition files.</summary>
    public const string TcpTypeName = "tcp";

    /// <summary>The UDP connectors' type name in definition files.</summary>
    public const string UdpTypeName = "udp";

    private static readonly TcpSourceOptions TcpSourceDefaults = new();
    private static readonly TcpSinkOptions TcpSinkDefaults = new();
    private static readonly UdpSourceOptions UdpSourceDefaults = new();
    private static readonly UdpSinkOptions UdpSinkDefaults = new();

    private static readonly SettingDescriptor FramingSetting = new("framing", SettingType.String)
    {
        AllowedValues = ["newline", "length-prefixed"],
        Default = "newline",
        Description = "Frames are lines (\\n), or each preceded by its length as 4 bytes big-endian.",
    };

    /// <summary>
    /// Registers the <c>tcp</c> source (<see cref="TcpSource"/>: a server on <c>listen</c>, optionally acknowledging committed frames to
    /// its clients), the <c>tcp</c> sink (<see cref="TcpSink"/>: a client of <c>address</c>), and the lossy <c>udp</c> source and sink
    /// (<see cref="UdpSource"/>, <see cref="UdpSink"/>). See docs/sockets.md.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    public static ConnectorRegistry AddSockets(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterPayloadSource(TcpTypeName, context => new TcpSource(ReadTcpSource(context.Settings, context.TimeProvider), context.Name), new ConnectorDescriptor
            {
                Description = "A TCP server: each client's frames are records; with acknowledgements, each client is told how many of its frames are committed.",
                Settings =
                [
                    new("listen", SettingType.String) { Default = TcpSourceOptions.DefaultListen, Description = "IP:PORT, [IPv6]:PORT, localhost:PORT or *:PORT to listen on (port 0 picks a free one)." },
                    FramingSetting,
                    new("maxFrameBytes", SettingType.Size) { Minimum = 1, Default = "1MiB", Description = "A larger frame is an error for the error policy; the rest of it is skipped." },
                    new("maxInFlightRecords", SettingType.Integer) { Minimum = 1, Default = TcpSourceDefaults.MaxInFlightRecords.ToString(CultureInfo.InvariantCulture), Description = "The most frames read and not yet committed; at the bound the sockets are not read." },
                    new("acknowledgements", SettingType.Boolean) { Default = "false", Description = "Write back to each client the count of its frames that are committed." },
                    new("maxConnections", SettingType.Integer) { Minimum = 1, Default = TcpSourceDefaults.MaxConnections.ToString(CultureInfo.InvariantCulture), Description = "Connections past it are closed at once." },
                    new("certificate", SettingType.Path) { Description = "The server certificate (PKCS#12 with its key): every connection is TLS." },
                    new("certificatePassword", SettingType.String) { Secret = true, Description = "The certificate file's password (a secret: ${secret:NAME} or ${env:NAME}); never printed." },
                ],
            })
            .RegisterPayloadSink(TcpTypeName, context => new TcpSink(ReadTcpSink(context.Settings, context.TimeProvider), context.Name), new ConnectorDescriptor
            {
                Description = "A TCP client writing each record as a frame; reconnects with backoff. Acknowledged once flushed to the socket, or once the peer acknowledged (acknowledgements: true).",
                Settings =
                [
                    new("address", SettingType.String) { Required = true, Description = "HOST:PORT of the peer." },
                    FramingSetting,
                    new("acknowledgements", SettingType.Boolean) { Default = "false", Description = "Wait for the peer's count of committed frames before acknowledging a batch (a tcp source with acknowledgements)." },
                    new("tls", SettingType.Boolean) { Default = "false", Description = "Connect with TLS." },
                    new("trustedCa", SettingType.Path) { Description = "A CA certificate (PEM or DER) trusted for the peer instead of the system's CAs." },
                    new("tlsHostName", SettingType.String) { Default = "the host of address", Description = "The name the peer's certificate must hold." },
                    new("clientCertificate", SettingType.Path) { Description = "A client certificate (PKCS#12) for a peer that asks for one." },
                    new("clientCertificatePassword", SettingType.String) { Secret = true, Description = "The client certificate file's password (a secret); never printed." },
                    new("maxAttempts", SettingType.Integer) { Minimum = 1, Default = TcpSinkDefaults.MaxAttempts.ToString(CultureInfo.InvariantCulture), Description = "Tries of a batch, reconnecting each time." },
                    new("initialBackoff", SettingType.Duration) { Default = "100ms", Description = "The wait before the first reconnect; doubles each time." },
                    new("maxBackoff", SettingType.Duration) { Default = "10s", Description = "The longest wait between reconnects." },
                    new("timeout", SettingType.Duration) { Default = "30s", Description = "The limit of connecting, and of waiting for the peer's acknowledgement." },
                ],
            })
            .RegisterPayloadSource(UdpTypeName, context => new UdpSource(ReadUdpSource(context.Settings, context.TimeProvider), context.Name), new ConnectorDescriptor
            {
                Description = "Receives UDP datagrams, one record each. Lossy: what the network or the kernel drops is gone; drops it can see are counted.",
                Settings =
                [
                    new("listen", SettingType.String) { Default = UdpSourceDefaults.Listen, Description = "IP:PORT, [IPv6]:PORT, localhost:PORT or *:PORT to listen on." },
                    new("maxDatagramBytes", SettingType.Size) { Minimum = 1, Maximum = Sockets.UdpSourceOptions.MaxUdpPayload, Default = Sockets.UdpSourceOptions.MaxUdpPayload.ToString(CultureInfo.InvariantCulture), Description = "A larger datagram is dropped, counted and handed to the error policy." },
                    new("maxInFlightRecords", SettingType.Integer) { Minimum = 1, Default = UdpSourceDefaults.MaxInFlightRecords.ToString(CultureInfo.InvariantCulture), Description = "The most datagrams received and not yet committed; at the bound the kernel buffers, then drops." },
                    new("receiveBufferBytes", SettingType.Size) { Minimum = 1, Default = "the system's", Description = "SO_RCVBUF; the kernel may cap it." },
                    new("payloadCheck", SettingType.String) { AllowedValues = ["none", "utf8", "json"], Default = "none", Description = "A datagram failing it is dropped, counted and handed to the error policy." },
                ],
            })
            .RegisterPayloadSink(UdpTypeName, context => new UdpSink(new UdpSinkOptions
            {
                Address = context.Settings.GetRequiredString("address"),
                MaxDatagramBytes = (int)context.Settings.GetSize("maxDatagramBytes", UdpSinkDefaults.MaxDatagramBytes),
            }, context.Name), new ConnectorDescriptor
            {
                Description = "Sends each record as a UDP datagram. Lossy: a batch is acknowledged once handed to the kernel.",
                Settings =
                [
                    new("address", SettingType.String) { Required = true, Description = "HOST:PORT of the peer." },
                    new("maxDatagramBytes", SettingType.Size) { Minimum = 1, Maximum = Sockets.UdpSourceOptions.MaxUdpPayload, Default = Sockets.UdpSourceOptions.MaxUdpPayload.ToString(CultureInfo.InvariantCulture), Description = "A larger record is a data error." },
                ],
            });
    }

    private static SocketFraming Framing(ConnectorSettings settings) =>
        settings.GetString("framing", "newline") == "length-prefixed" ? SocketFraming.LengthPrefixed : SocketFraming.NewlineDelimited;

    private static TcpSourceOptions ReadTcpSource(ConnectorSettings settings, TimeProvider time) => new()
    {
        Listen = settings.GetString("listen", TcpSourceDefaults.Listen)!,
        Framing = Framing(settings),
        MaxFrameBytes = (int)Math.Min(int.MaxValue, settings.GetSize("maxFrameBytes", TcpSourceDefaults.MaxFrameBytes)),
        MaxInFlightRecords = settings.GetInt32("maxInFlightRecords", TcpSourceDefaults.MaxInFlightRecords),
        Acknowledgements = settings.GetBoolean("acknowledgements", TcpSourceDefaults.Acknowledgements),
        MaxConnections = settings.GetInt32("maxConnections", TcpSourceDefaults.MaxConnections),
        CertificatePath = settings.GetPath("certificate"),
        CertificatePassword = settings.GetString("certificatePassword"),
        TimeProvider = time,
    };

    private static TcpSinkOptions ReadTcpSink(ConnectorSettings settings, TimeProvider time) => new()
    {
        Address = settings.GetRequiredString("address"),
        Framing = Framing(settings),
        Acknowledgements = settings.GetBoolean("acknowledgements", TcpSinkDefaults.Acknowledgements),
        Tls = settings.GetBoolean("tls", TcpSinkDefaults.Tls),
        TrustedCaPath = settings.GetPath("trustedCa"),
        TlsHostName = settings.GetString("tlsHostName"),
        ClientCertificatePath = settings.GetPath("clientCertificate"),
        ClientCertificatePassword = settings.GetString("clientCertificatePassword"),
        MaxAttempts = settings.GetInt32("maxAttempts", TcpSinkDefaults.MaxAttempts),
        InitialBackoff = settings.GetDuration("initialBackoff", TcpSinkDefaults.InitialBackoff),
        MaxBackoff = settings.GetDuration("maxBackoff", TcpSinkDefaults.MaxBackoff),
        Timeout = settings.GetDuration("timeout", TcpSinkDefaults.Timeout),
        TimeProvider = time,
    };

    private static UdpSourceOptions ReadUdpSource(ConnectorSettings settings, TimeProvider time) => new()
    {
        Listen = settings.GetString("listen", UdpSourceDefaults.Listen)!,
        MaxDatagramBytes = (int)settings.GetSize("maxDatagramBytes", UdpSourceDefaults.MaxDatagramBytes),
        MaxInFlightRecords = settings.GetInt32("maxInFlightRecords", UdpSourceDefaults.MaxInFlightRecords),
        ReceiveBufferBytes = settings.GetString("receiveBufferBytes") is null ? null : (int)settings.GetSize("receiveBufferBytes", 0),
        PayloadCheck = settings.GetString("payloadCheck", "none") switch
        {
            "utf8" => UdpPayloadCheck.Utf8,
            "json" => UdpPayloadCheck.Json,
            _ => UdpPayloadCheck.None,
        },
        TimeProvider = time,
    };
}
