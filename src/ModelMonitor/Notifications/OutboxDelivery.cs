using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using ModelMonitor.Storage;
using Npgsql;

namespace ModelMonitor.Notifications;

/// Sends what the outbox holds. Rows are claimed atomically (FOR UPDATE SKIP LOCKED plus a lease), so two
/// nodes never send the same row; a row is marked sent right after its send. A crash between the two can
/// resend that one message once, with the same Message-Id. A failure keeps the row with its attempt count,
/// last error and a next attempt after an exponential backoff with jitter; a permanent refusal (SMTP 5xx for
/// every recipient or for the message, a webhook URL no longer allowed) or MaxAttempts failures gives it up
/// (failed_at set, logged as an error, never retried). A 5xx for some recipients only is recorded and the others get it.
internal sealed partial class OutboxDelivery(
    IServiceScopeFactory scopes,
    NpgsqlDataSource dataSource,
    TimeProvider time,
    DigestRenderer renderer,
    GitHubIssueChannel gitHub,
    IHttpClientFactory http,
    WebhookTargets webhookTargets,
    IOptions<NotificationOptions> notifications,
    IOptions<SmtpOptions> smtp,
    IOptions<MailOptions> mail,
    Hosting.MonitorMetrics metrics,
    ILogger<OutboxDelivery> logger)
{
    public const string WebhookClient = "webhooks";
    public const string SignatureHeader = "X-Monitor-Signature";

    public async Task<DeliveryResult> DeliverAsync(CancellationToken cancellationToken)
    {
        using var activity = Hosting.MonitorMetrics.Tracing.StartActivity("deliver");
        var total = new DeliveryResult(0, 0);
        foreach (var channel in new[] { Channels.Email, Channels.Webhook, Channels.GitHub })
        {
            while (true)
            {
                var batch = await ClaimAsync(channel, cancellationToken);
                if (batch.Count == 0)
                    break;
                var result = channel switch
                {
                    Channels.Email => await SendEmailsAsync(batch, cancellationToken),
                    Channels.Webhook => await PostWebhooksAsync(batch, cancellationToken),
                    _ => await UpdateIssuesAsync(batch, cancellationToken),
                };
                total = new DeliveryResult(total.Sent + result.Sent, total.Failed + result.Failed);
                // Failed rows are due later, so the next claim only finds rows not yet tried in this pass.
                if (batch.Count < notifications.Value.Delivery.BatchSize)
                    break;
            }
        }
        if (total.Sent + total.Failed > 0)
            Log.Delivered(logger, total.Sent, total.Failed);
        metrics.Delivered(total.Sent, total.Failed);
        return total;
    }

    private async Task<IReadOnlyList<Claimed>> ClaimAsync(string channel, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            UPDATE outbox o SET claimed_until = @lease_until
            WHERE o.id IN (
                SELECT id FROM outbox
                WHERE sent_at IS NULL AND failed_at IS NULL AND channel = @channel AND next_attempt_at <= @now
                  AND (claimed_until IS NULL OR claimed_until <= @now)
                ORDER BY next_attempt_at, id
                LIMIT @batch
                FOR UPDATE SKIP LOCKED)
            RETURNING o.id, o.digest_id, o.team_id, o.github_issue_id, o.target, o.attempts
            """);
        command.Parameters.AddWithValue("lease_until", now.AddSeconds(notifications.Value.Delivery.LeaseSeconds));
        command.Parameters.AddWithValue("channel", channel);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("batch", notifications.Value.Delivery.BatchSize);
        var claimed = new List<Claimed>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            claimed.Add(new Claimed(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt32(5)));
        return claimed.OrderBy(c => c.Id).ToList();
    }

    private async Task<DeliveryResult> SendEmailsAsync(IReadOnlyList<Claimed> batch, CancellationToken cancellationToken)
    {
        var contents = await LoadAsync(batch, cancellationToken);
        var ready = new List<(Claimed Row, MimeMessage Message)>();
        foreach (var row in batch)
        {
            if (!contents.TryGetValue(row.DigestId ?? 0, out var content))
            {
                await MarkSentAsync(row, "skipped: the digest no longer exists", cancellationToken);
                continue;
            }
            var message = renderer.RenderEmail(content);
            if (message.To.Count == 0)
                await MarkSentAsync(row, "skipped: no valid recipient", cancellationToken);
            else
                ready.Add((row, message));
        }
        if (ready.Count == 0)
            return new DeliveryResult(0, 0);
        return string.IsNullOrWhiteSpace(smtp.Value.Host)
            ? await WritePickupFilesAsync(ready, cancellationToken)
            : await SendOverSmtpAsync(ready, cancellationToken);
    }

    // No SMTP server configured: one .eml per digest, named by its Message-Id, so a resend overwrites it.
    private async Task<DeliveryResult> WritePickupFilesAsync(List<(Claimed Row, MimeMessage Message)> ready, CancellationToken cancellationToken)
    {
        var directory = Path.GetFullPath(mail.Value.PickupDirectory);
        Directory.CreateDirectory(directory);
        var sent = 0;
        var failed = 0;
        foreach (var (row, message) in ready)
        {
            try
            {
                var path = Path.Combine(directory, (message.MessageId ?? $"outbox-{row.Id}").Replace('@', '_') + ".eml");
                await message.WriteToAsync(path, cancellationToken);
                await MarkSentAsync(row, null, cancellationToken);
                sent++;
            }
            catch (IOException ex)
            {
                await MarkFailedAsync(row, $"pickup folder: {ex.Message}", cancellationToken);
                failed++;
            }
        }
        return new DeliveryResult(sent, failed);
    }

    // One connection for the whole batch; a broken connection is reopened once, then the rest wait for the next pass.
    private async Task<DeliveryResult> SendOverSmtpAsync(List<(Claimed Row, MimeMessage Message)> ready, CancellationToken cancellationToken)
    {
        var sent = 0;
        var failed = 0;
        using var client = new RecipientRecordingSmtpClient { Timeout = smtp.Value.TimeoutSeconds * 1000 };
        var reconnected = false;
        for (var i = 0; i < ready.Count; i++)
        {
            var (row, message) = ready[i];
            client.Rejected.Clear();
            try
            {
                if (!client.IsConnected)
                    await ConnectAsync(client, cancellationToken);
                await client.SendAsync(message, cancellationToken);
                await MarkSentAsync(row, client.Rejected.Count == 0 ? null
                    : $"sent to {message.To.Count + message.Cc.Count - client.Rejected.Count} recipient(s); refused permanently: {string.Join("; ", client.Rejected)}", cancellationToken);
                if (client.Rejected.Count > 0)
                    Log.RecipientsRefused(logger, row.Id, string.Join("; ", client.Rejected));
                sent++;
            }
            catch (SmtpCommandException ex) when (client.IsConnected)
            {
                // The server refused this message; the connection serves the next one. A 5xx for the message or for
                // every recipient will not change on retry; a 5xx for our sender is our configuration, so it is retried.
                var permanent = (int)ex.StatusCode >= 500 && ex.ErrorCode != SmtpErrorCode.SenderNotAccepted;
                var error = permanent && client.Rejected.Count > 0
                    ? $"SMTP refused every recipient permanently: {string.Join("; ", client.Rejected)}"
                    : $"SMTP {(int)ex.StatusCode}: {ex.Message}";
                if (permanent)
                    await GiveUpAsync(row, error);
                else
                    await MarkFailedAsync(row, error, cancellationToken);
                failed++;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or SmtpProtocolException
                or SmtpCommandException or ServiceNotConnectedException or AuthenticationException or SslHandshakeException
                or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await MarkFailedAsync(row, $"SMTP {smtp.Value.Host}:{smtp.Value.Port}: {ex.Message}", cancellationToken);
                failed++;
                if (reconnected || !client.IsConnected && i == 0)
                {
                    // The server is unreachable: everything else in the batch waits for the backoff too.
                    foreach (var (rest, _) in ready.Skip(i + 1))
                        await MarkFailedAsync(rest, $"SMTP {smtp.Value.Host}:{smtp.Value.Port}: {ex.Message}", cancellationToken);
                    failed += ready.Count - i - 1;
                    break;
                }
                reconnected = true;
            }
        }
        if (client.IsConnected)
            await client.DisconnectAsync(quit: true, cancellationToken);
        return new DeliveryResult(sent, failed);
    }

    private async Task ConnectAsync(SmtpClient client, CancellationToken cancellationToken)
    {
        var settings = smtp.Value;
        var security = settings.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.Ssl => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        // Our own socket, to turn Nagle off: each command is a small write that otherwise waits on a delayed ACK
        // (tens of milliseconds per message on a fast link). MailKit owns and closes it from here on.
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(settings.Host!, settings.Port, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        await client.ConnectAsync(socket, settings.Host!, settings.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(settings.Username))
            await client.AuthenticateAsync(settings.Username, settings.Password ?? "", cancellationToken);
    }

    private async Task<DeliveryResult> PostWebhooksAsync(IReadOnlyList<Claimed> batch, CancellationToken cancellationToken)
    {
        var contents = await LoadAsync(batch, cancellationToken);
        Dictionary<long, int> versions;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var teamIds = batch.Where(b => b.TeamId is not null).Select(b => b.TeamId!.Value).Distinct().ToList();
            versions = await scope.ServiceProvider.GetRequiredService<MonitorDb>().Set<TeamWebhook>()
                .Where(w => teamIds.Contains(w.TeamId)).ToDictionaryAsync(w => w.TeamId, w => w.SecretVersion, cancellationToken);
        }
        var key = notifications.Value.WebhookKey;
        var client = http.CreateClient(WebhookClient);
        var sent = 0;
        var failed = 0;
        foreach (var row in batch)
        {
            if (!contents.TryGetValue(row.DigestId ?? 0, out var content) || row.TeamId is not { } teamId || !versions.TryGetValue(teamId, out var version)
                || string.IsNullOrEmpty(key) || row.Target is null)
            {
                await MarkSentAsync(row, "skipped: the webhook, its digest or Notifications:WebhookKey is gone", cancellationToken);
                continue;
            }
            if (webhookTargets.Refuse(row.Target) is { } refused)
            {
                // Allowed when it was set, not any more (the operator narrowed the list): retrying cannot help.
                await GiveUpAsync(row, $"webhook URL refused: {refused}");
                failed++;
                continue;
            }
            var body = renderer.Json(content);
            using var request = new HttpRequestMessage(HttpMethod.Post, row.Target) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Headers.Add(SignatureHeader, WebhookSigning.Signature(WebhookSigning.Secret(key, teamId, version), body));
            request.Headers.Add("X-Monitor-Digest", content.DigestId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    await MarkSentAsync(row, null, cancellationToken);
                    sent++;
                }
                else
                {
                    await MarkFailedAsync(row, $"webhook answered {(int)response.StatusCode} {response.ReasonPhrase}", cancellationToken);
                    failed++;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException
                or Polly.CircuitBreaker.BrokenCircuitException && !cancellationToken.IsCancellationRequested)
            {
                await MarkFailedAsync(row, $"webhook: {ex.Message}", cancellationToken);
                failed++;
            }
        }
        return new DeliveryResult(sent, failed);
    }

    private async Task<DeliveryResult> UpdateIssuesAsync(IReadOnlyList<Claimed> batch, CancellationToken cancellationToken)
    {
        var sent = 0;
        var failed = 0;
        foreach (var row in batch)
        {
            var error = await gitHub.ApplyAsync(row.GitHubIssueId ?? 0, cancellationToken);
            if (error is null)
            {
                await MarkSentAsync(row, null, cancellationToken);
                sent++;
            }
            else
            {
                await MarkFailedAsync(row, error, cancellationToken);
                failed++;
            }
        }
        return new DeliveryResult(sent, failed);
    }

    private async Task<Dictionary<long, DigestContent>> LoadAsync(IReadOnlyList<Claimed> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var loader = new DigestLoader(scope.ServiceProvider.GetRequiredService<MonitorDb>());
        var ids = batch.Where(b => b.DigestId is not null).Select(b => b.DigestId!.Value).Distinct().ToList();
        return (await loader.LoadAsync(ids, cancellationToken)).ToDictionary(c => c.DigestId);
    }

    private async Task MarkSentAsync(Claimed row, string? note, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await SettleAsync("""
            UPDATE outbox SET sent_at = @now, attempts = attempts + 1, claimed_until = NULL,
                              last_error = coalesce(@note, last_error)
            WHERE id = @id
            """, parameters =>
        {
            parameters.AddWithValue("now", now);
            parameters.Add(new NpgsqlParameter("note", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)note ?? DBNull.Value });
            parameters.AddWithValue("id", row.Id);
        });
    }

    // Recording a row's outcome must survive a database blip: after a restart the first command on each idle
    // pooled connection fails, and a lost "sent" mark means a resend. So a transient failure empties the pool
    // and the command is tried again at once on a fresh connection; never cancelled half-way once a message went out.
    private async Task SettleAsync(string sql, Action<NpgsqlParameterCollection> bind)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = dataSource.CreateCommand(sql);
                bind(command.Parameters);
                await command.ExecuteNonQueryAsync(CancellationToken.None);
                return;
            }
            catch (NpgsqlException ex) when (ex.IsTransient && attempt < 3)
            {
                dataSource.Clear();
            }
        }
    }

    private async Task MarkFailedAsync(Claimed row, string error, CancellationToken cancellationToken)
    {
        if (row.Attempts + 1 >= notifications.Value.Delivery.MaxAttempts)
        {
            await GiveUpAsync(row, $"{error} (gave up after {row.Attempts + 1} attempts: Notifications:Delivery:MaxAttempts)");
            return;
        }
        var next = time.GetUtcNow() + Backoff(row.Attempts);
        await SettleAsync("""
            UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @next, last_error = @error, claimed_until = NULL
            WHERE id = @id
            """, parameters =>
        {
            parameters.AddWithValue("next", next);
            parameters.AddWithValue("error", error.Length > 2000 ? error[..2000] : error);
            parameters.AddWithValue("id", row.Id);
        });
        Log.Failed(logger, row.Id, row.Attempts + 1, next, error);
    }

    private async Task GiveUpAsync(Claimed row, string error)
    {
        var now = time.GetUtcNow();
        await SettleAsync("""
            UPDATE outbox SET attempts = attempts + 1, failed_at = @now, last_error = @error, claimed_until = NULL
            WHERE id = @id
            """, parameters =>
        {
            parameters.AddWithValue("now", now);
            parameters.AddWithValue("error", error.Length > 2000 ? error[..2000] : error);
            parameters.AddWithValue("id", row.Id);
        });
        Log.GaveUp(logger, row.Id, row.Attempts + 1, error);
    }

    // Base × 2^(attempts so far), capped, ±20 % jitter so a cluster's retries do not arrive together.
    internal TimeSpan Backoff(int attemptsSoFar)
    {
        var delivery = notifications.Value.Delivery;
        var seconds = Math.Min(delivery.RetryBaseSeconds * Math.Pow(2, Math.Min(attemptsSoFar, 30)), delivery.MaxRetryMinutes * 60.0);
        return TimeSpan.FromSeconds(seconds * (0.8 + (0.4 * Random.Shared.NextDouble())));
    }

    // MailKit's default throws on the first refused recipient, so nobody gets the message. A permanent (5xx)
    // refusal is recorded instead and the others still get it; a temporary (4xx) one still throws, so the whole
    // message is retried later and no recipient gets it twice.
    private sealed class RecipientRecordingSmtpClient : SmtpClient
    {
        public List<string> Rejected { get; } = [];

        protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
        {
            if ((int)response.StatusCode < 500)
                base.OnRecipientNotAccepted(message, mailbox, response);
            Rejected.Add($"{mailbox.Address} ({(int)response.StatusCode} {response.Response.ReplaceLineEndings(" ")})");
        }

        protected override void OnNoRecipientsAccepted(MimeMessage message) =>
            throw new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, "No recipient was accepted.");
    }

    private sealed record Claimed(long Id, long? DigestId, long? TeamId, long? GitHubIssueId, string? Target, int Attempts);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Outbox: {Sent} delivered, {Failed} failed (kept for retry)")]
        public static partial void Delivered(ILogger logger, int sent, int failed);

        [LoggerMessage(2, LogLevel.Warning, "Outbox message {Id} failed (attempt {Attempt}); next attempt at {Next}: {Error}")]
        public static partial void Failed(ILogger logger, long id, int attempt, DateTimeOffset next, string error);

        [LoggerMessage(3, LogLevel.Error, "Outbox message {Id} given up after attempt {Attempt}; it will not be retried: {Error}")]
        public static partial void GaveUp(ILogger logger, long id, int attempt, string error);

        [LoggerMessage(4, LogLevel.Warning, "Outbox message {Id} was sent, but the server refused some recipients permanently: {Rejected}")]
        public static partial void RecipientsRefused(ILogger logger, long id, string rejected);
    }
}

internal sealed record DeliveryResult(int Sent, int Failed);

/// Each team's webhook secret is derived from Notifications:WebhookKey, so none is stored; receivers check
/// `X-Monitor-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with it.
public static class WebhookSigning
{
    public static string Secret(string key, long teamId, int version) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"monitor-webhook:{teamId}:{version}")));

    public static string Signature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
