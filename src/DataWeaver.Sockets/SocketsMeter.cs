using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace DataWeaver.Sockets;

/// <summary>
/// The socket connectors' <see cref="Meter"/>, named <c>DataWeaver.Sockets</c>: <c>dataweaver.sockets.udp.datagrams.received</c>
/// and <c>dataweaver.sockets.udp.datagrams.dropped</c> (tag <c>reason</c>: <c>oversized</c>, <c>undecodable</c>, <c>overrun</c>),
/// both tagged <c>connector</c> with the source's name, observed from every open <see cref="UdpSource"/>.
/// </summary>
public static class SocketsMeter
{
    /// <summary>The meter's name.</summary>
    public const string Name = "DataWeaver.Sockets";

    private static readonly ConcurrentDictionary<UdpSource, bool> Sources = new();
    private static readonly Meter Meter = new(Name);

    static SocketsMeter()
    {
        Meter.CreateObservableCounter("dataweaver.sockets.udp.datagrams.received", () => Sources.Keys.Select(s => new Measurement<long>(s.DatagramsReceived, new KeyValuePair<string, object?>("connector", s.Name))), "{datagram}", "Datagrams a UDP source received.");
        Meter.CreateObservableCounter("dataweaver.sockets.udp.datagrams.dropped", Dropped, "{datagram}", "Datagrams a UDP source dropped, by reason.");
    }

    internal static void Track(UdpSource source) => Sources[source] = true;

    internal static void Forget(UdpSource source) => Sources.TryRemove(source, out _);

    private static IEnumerable<Measurement<long>> Dropped()
    {
        foreach (var source in Sources.Keys)
        {
            var connector = new KeyValuePair<string, object?>("connector", source.Name);
            yield return new Measurement<long>(source.DroppedOversized, connector, new KeyValuePair<string, object?>("reason", "oversized"));
            yield return new Measurement<long>(source.DroppedUndecodable, connector, new KeyValuePair<string, object?>("reason", "undecodable"));
            if (source.DroppedOverruns is { } overruns)
            {
                yield return new Measurement<long>(overruns, connector, new KeyValuePair<string, object?>("reason", "overrun"));
            }
        }
    }
}
