using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ModelMonitor.Tests.Hardening;

/// A tiny SMTP server on loopback whose replies a test scripts: silent (never greets), a reply per RCPT TO
/// and per DATA. It records what it accepted with the envelope recipients, and any AUTH credentials sent.
internal sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly ConcurrentQueue<string> _commands = new();
    private readonly List<Task> _sessions = [];
    private Task? _accepting;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    // Accept the connection and say nothing: the client's timeout has to end the attempt.
    public bool Silent { get; set; }

    // The reply to "MAIL FROM"; null means "250 OK".
    public Func<string?> Mail { get; set; } = () => null;

    // The reply to "RCPT TO:<address>"; null means "250 OK".
    public Func<string, string?> Rcpt { get; set; } = _ => null;

    // The reply after the message body; null means "250 queued".
    public Func<string?> AfterData { get; set; } = () => null;

    // Called when a message's body has arrived and was recorded, before the reply (a test may stop things here).
    public Func<Task>? OnData { get; set; }

    public IReadOnlyList<Received> Messages => _received.ToArray();

    // The decoded AUTH PLAIN payload ("\0user\0password") of the last login.
    public string? AuthPlain { get; private set; }

    public IReadOnlyList<string> Commands => _commands.ToArray();

    public int RcptCommands => _commands.Count(c => c.StartsWith("RCPT", StringComparison.OrdinalIgnoreCase));

    public static ScriptedSmtpServer Start()
    {
        var server = new ScriptedSmtpServer();
        server._listener.Start();
        server._accepting = server.AcceptAsync();
        return server;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_sessions)
                _sessions.Add(Task.Run(() => SessionAsync(client)));
        }
    }

    private async Task SessionAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            if (Silent)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
                return;
            }
            await writer.WriteLineAsync("220 scripted.test ESMTP");
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                _commands.Enqueue(line);
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-scripted.test");
                        await writer.WriteLineAsync("250-AUTH PLAIN");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "HELO" or "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "AUTH":
                        var parts = line.Split(' ');
                        var credentials = parts.Length > 2 ? parts[2] : null;
                        if (credentials is null)
                        {
                            await writer.WriteLineAsync("334 ");
                            credentials = await reader.ReadLineAsync(_stop.Token);
                        }
                        AuthPlain = credentials is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(credentials));
                        await writer.WriteLineAsync("235 2.7.0 Authentication successful");
                        break;
                    case "MAIL":
                        recipients.Clear();
                        await writer.WriteLineAsync(Mail() ?? "250 OK");
                        break;
                    case "RSET":
                        recipients.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        var address = line[(line.IndexOf('<', StringComparison.Ordinal) + 1)..line.IndexOf('>', StringComparison.Ordinal)];
                        var reply = Rcpt(address);
                        if (reply is null)
                            recipients.Add(address);
                        await writer.WriteLineAsync(reply ?? "250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var body = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                            body.Append(data.StartsWith("..", StringComparison.Ordinal) ? data[1..] : data).Append("\r\n");
                        var after = AfterData();
                        // Recorded before the reply, as a real server commits before it answers.
                        if (after is null)
                            _received.Enqueue(new Received([.. recipients], MimeKit.MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(body.ToString())))));
                        if (OnData is not null)
                            await OnData();
                        await writer.WriteLineAsync(after ?? "250 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 Command not implemented");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_accepting is not null)
            await _accepting;
        Task[] sessions;
        lock (_sessions)
            sessions = [.. _sessions];
        await Task.WhenAll(sessions);
        _stop.Dispose();
    }

    public sealed record Received(IReadOnlyList<string> Recipients, MimeKit.MimeMessage Message);
}
