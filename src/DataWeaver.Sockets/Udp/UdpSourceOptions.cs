using System.Globalization;
using DataWeaver.Sockets.Internal;

namespace DataWeaver.Sockets;

/// <summary>What a <see cref="UdpSource"/> checks in each datagram before it becomes a record.</summary>
public enum UdpPayloadCheck
{
    /// <summary>Nothing: every datagram within the size limit is a record.</summary>
    None,

    /// <summary>The datagram must be valid UTF-8.</summary>
    Utf8,

    /// <summary>The datagram must be one JSON document.</summary>
    Json,
}

/// <summary>Options of a <see cref="UdpSource"/>: where it listens, the largest datagram, the in-flight bound and the payload check.</summary>
public sealed record UdpSourceOptions
{
    /// <summary>The largest UDP payload over IPv4, in bytes.</summary>
    public const int MaxUdpPayload = 65_507;

    /// <summary>Gets the local address to listen on: <c>IP:PORT</c>, <c>[IPv6]:PORT</c>, <c>localhost:PORT</c> or <c>*:PORT</c>; port 0 picks a free port (see <see cref="UdpSource.LocalEndPoint"/>).</summary>
    /// <value>The default is <c>127.0.0.1:9001</c>.</value>
    public string Listen { get; init; } = "127.0.0.1:9001";

    /// <summary>Gets the largest datagram taken as a record; a larger one is dropped, counted, and handed to the error policy with its first <c>MaxDatagramBytes</c> bytes.</summary>
    /// <value>The default is 65,507 (every datagram); from 1 to 65,507.</value>
    public int MaxDatagramBytes { get; init; } = MaxUdpPayload;

    /// <summary>Gets the most datagrams received and not yet committed. At the bound the source stops receiving: the kernel's receive buffer fills, and what arrives then is dropped by the kernel (counted in <see cref="UdpSource.DroppedOverruns"/> where observable).</summary>
    /// <value>The default is 10,000; from 1.</value>
    public int MaxInFlightRecords { get; init; } = 10_000;

    /// <summary>Gets the socket's receive buffer size (<c>SO_RCVBUF</c>) in bytes; the kernel may cap it (Linux: <c>net.core.rmem_max</c>).</summary>
    /// <value>The default is <see langword="null"/>: the system's default.</value>
    public int? ReceiveBufferBytes { get; init; }

    /// <summary>Gets what each datagram is checked for; one that fails is dropped, counted in <see cref="UdpSource.DroppedUndecodable"/>, and handed to the error policy.</summary>
    /// <value>The default is <see cref="UdpPayloadCheck.None"/>.</value>
    public UdpPayloadCheck PayloadCheck { get; init; } = UdpPayloadCheck.None;

    /// <summary>Gets the clock of record timestamps.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per problem, naming the option; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        if (!Endpoints.TryParseListen(Listen, out _))
        {
            yield return $"UdpSourceOptions.Listen must be IP:PORT, [IPv6]:PORT, localhost:PORT or *:PORT (was '{Listen}').";
        }

        if (MaxDatagramBytes is < 1 or > MaxUdpPayload)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"UdpSourceOptions.MaxDatagramBytes must be from 1 to {MaxUdpPayload} (was {MaxDatagramBytes}).");
        }

        if (MaxInFlightRecords < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"UdpSourceOptions.MaxInFlightRecords must be at least 1 (was {MaxInFlightRecords}).");
        }

        if (ReceiveBufferBytes is < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"UdpSourceOptions.ReceiveBufferBytes must be positive (was {ReceiveBufferBytes}).");
        }
    }
}

/// <summary>Options of a <see cref="UdpSink"/>: where datagrams go and the largest one.</summary>
public sealed record UdpSinkOptions
{
    /// <summary>Gets the peer: <c>HOST:PORT</c>. Required.</summary>
    /// <value>The default is empty (invalid).</value>
    public string Address { get; init; } = "";

    /// <summary>Gets the largest datagram sent; a larger record is a data error (to the dead-letter port under a dead-letter policy).</summary>
    /// <value>The default is 65,507; from 1 to 65,507. Datagrams above the path's MTU (1,472 bytes of payload on Ethernet) are fragmented, and lost whole if one fragment is.</value>
    public int MaxDatagramBytes { get; init; } = UdpSourceOptions.MaxUdpPayload;

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per problem, naming the option; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        if (!Endpoints.TrySplit(Address, out _, out var port) || port == 0)
        {
            yield return $"UdpSinkOptions.Address must be HOST:PORT with a port from 1 to 65535 (was '{Address}').";
        }

        if (MaxDatagramBytes is < 1 or > UdpSourceOptions.MaxUdpPayload)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"UdpSinkOptions.MaxDatagramBytes must be from 1 to {UdpSourceOptions.MaxUdpPayload} (was {MaxDatagramBytes}).");
        }
    }
}
