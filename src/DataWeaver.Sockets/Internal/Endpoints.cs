using System.Net;

namespace DataWeaver.Sockets.Internal;

/// <summary>Parses <c>HOST:PORT</c> addresses of the socket connectors.</summary>
internal static class Endpoints
{
    /// <summary>Parses a local address to listen on: <c>IP:PORT</c>, <c>[IPv6]:PORT</c>, <c>localhost:PORT</c> or <c>*:PORT</c> (every address).</summary>
    public static bool TryParseListen(string? text, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        if (string.IsNullOrEmpty(text) || !TrySplit(text, out var host, out var port))
        {
            return false;
        }

        var address = host switch
        {
            "*" => IPAddress.IPv6Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        if (address is null)
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>Splits <c>HOST:PORT</c> (a host name, an IP or a bracketed IPv6 address) into its parts.</summary>
    public static bool TrySplit(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            return false;
        }

        host = text[..colon].Trim('[', ']');
        return host.Length > 0;
    }
}
