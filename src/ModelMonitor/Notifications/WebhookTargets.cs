using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace ModelMonitor.Notifications;

/// Which URLs may receive a team's webhook. A team chooses the URL, so without limits the server could be
/// made to POST into its own network (cloud metadata, admin ports): http(s) only, no credentials in the URL,
/// the host on Notifications:WebhookAllowedHosts when that list is set, and never a loopback, private,
/// link-local or otherwise internal address unless the host is on that list. Checked when the URL is set,
/// again before each delivery, and on the address actually connected to (a name can resolve elsewhere later).
internal sealed class WebhookTargets(IOptions<NotificationOptions> options)
{
    public string? Refuse(string url)
    {
        // A CR or LF would end up in the request line; no control character belongs in a URL.
        if (url.Any(char.IsControl))
            return "must not contain line breaks or control characters.";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            return "must be an absolute http(s) URL.";
        if (uri.UserInfo.Length > 0)
            return "must not carry credentials (user:password@); the digest is signed instead.";
        var listed = IsListed(uri.IdnHost);
        var allowed = options.Value.WebhookAllowedHosts;
        if (allowed.Count > 0 && !listed)
            return $"host '{uri.Host}' is not on this server's webhook allow list ({string.Join(", ", allowed)}).";
        if (!listed && (uri.IsLoopback || string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase)
                || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
                || IPAddress.TryParse(uri.IdnHost, out var literal) && IsInternal(literal)))
            return $"host '{uri.Host}' is a loopback, private or link-local address; the operator must list it in Notifications:WebhookAllowedHosts.";
        return null;
    }

    // "*.example.com" allows every subdomain of example.com.
    public bool IsListed(string host) =>
        options.Value.WebhookAllowedHosts.Any(allowed => allowed.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(host.Trim('[', ']'), allowed.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));

    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] is 0 or 10 or 127 or >= 224                  // this network, private, loopback, multicast and reserved
                || b[0] == 169 && b[1] == 254                         // link-local, cloud metadata
                || b[0] == 172 && b[1] is >= 16 and <= 31
                || b[0] == 192 && b[1] == 168
                || b[0] == 100 && b[1] is >= 64 and <= 127            // carrier-grade NAT
                || b[0] == 192 && b[1] == 0 && b[2] == 0
                || b[0] == 198 && b[1] is 18 or 19;                   // benchmarking
        }
        var v6 = address.GetAddressBytes();
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (v6[0] & 0xFE) == 0xFC;                                // unique local fc00::/7
    }

    // The webhook client's connect step: resolve, drop internal addresses unless the host is listed, connect.
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var usable = IsListed(host) ? addresses : addresses.Where(a => !IsInternal(a)).ToArray();
        if (usable.Length == 0)
            throw new HttpRequestException(
                $"webhook host '{host}' resolves only to loopback, private or link-local addresses ({string.Join(", ", addresses.Select(a => a.ToString()))}); refused unless listed in Notifications:WebhookAllowedHosts");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
