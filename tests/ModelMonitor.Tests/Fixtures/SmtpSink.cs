using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using ServerResponse = SmtpServer.Protocol.SmtpResponse;

namespace ModelMonitor.Tests.Fixtures;

/// A real SMTP server in-process on a loopback port (the SmtpServer package): it speaks the protocol to
/// MailKit and keeps every message it accepted. It can be created "down" (the port reserved, nothing
/// listening) and started later, to test retries.
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private readonly ConcurrentDictionary<ISessionContext, byte> _sessionsWithMail = new();
    private CancellationTokenSource? _stop;
    private SmtpServer.SmtpServer? _server;
    private Task? _running;
    private int _sessions;

    private SmtpSink(int port) => Port = port;

    public int Port { get; }

    public IReadOnlyList<MimeMessage> Messages => _messages.ToArray();

    /// SMTP connections accepted so far (a readiness probe included).
    public int Sessions => Volatile.Read(ref _sessions);

    /// SMTP sessions that delivered at least one message.
    public int SessionsWithMail => _sessionsWithMail.Count;

    public static async Task<SmtpSink> StartAsync()
    {
        var sink = new SmtpSink(PostgresServer.FreePort());
        await sink.StartListeningAsync();
        return sink;
    }

    /// A sink whose port refuses connections until <see cref="StartListeningAsync"/>.
    public static SmtpSink Down() => new(PostgresServer.FreePort());

    public async Task StartListeningAsync()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("sink.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(_messages, _sessionsWithMail));
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, _) => Interlocked.Increment(ref _sessions);
        _stop = new CancellationTokenSource();
        _running = _server.StartAsync(_stop.Token);
        // Listening is asynchronous: wait until the port answers.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                break;
            }
            catch (SocketException) when (attempt < 200)
            {
                await Task.Yield();
                await Task.Delay(10);
            }
        }
    }

    public async Task StopListeningAsync()
    {
        if (_server is null)
            return;
        _server.Shutdown();
        await _stop!.CancelAsync();
        try
        {
            await _running!;
        }
        catch (OperationCanceledException)
        {
        }
        _server = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopListeningAsync();
        _stop?.Dispose();
    }

    private sealed class Store(ConcurrentQueue<MimeMessage> messages, ConcurrentDictionary<ISessionContext, byte> sessions) : MessageStore
    {
        public override async Task<ServerResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            sessions.TryAdd(context, 0);
            messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return ServerResponse.Ok;
        }
    }
}
