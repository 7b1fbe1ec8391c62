using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Catalog;
using ModelMonitor.Notifications;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Notifications;

/// The real host on its own database with a real SMTP server on loopback, the clock at 2026-11-28 09:00 UTC.
/// Teams and apps go through the real API; catalog facts and change events are written as reconciling would.
internal sealed class NotifyHarness : IAsyncDisposable
{
    public const string AdminToken = "admin-token-for-notification-tests-0123456789";
    public const string WebhookKey = "webhook-key-for-notification-tests-0123456789";
    public static readonly DateOnly Today = new(2026, 11, 28);

    private NotifyHarness(MonitorApp app, SmtpSink smtp)
    {
        App = app;
        Smtp = smtp;
    }

    public MonitorApp App { get; }
    public SmtpSink Smtp { get; }
    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock => App.Clock;

    public static async Task<NotifyHarness> StartAsync(IDictionary<string, string?>? settings = null, bool smtpUp = true, [CallerMemberName] string? hint = null)
    {
        var smtp = smtpUp ? await SmtpSink.StartAsync() : SmtpSink.Down();
        var all = new Dictionary<string, string?>
        {
            ["Auth:AdminToken"] = AdminToken,
            ["Auth:FailedAttemptsPerMinute"] = "1000",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:From"] = "monitor@monitor.test",
            ["Reports:BaseUrl"] = "https://monitor.test",
            ["Notifications:WebhookKey"] = WebhookKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        var app = await MonitorApp.StartAsync(all, hint);
        return new NotifyHarness(app, smtp);
    }

    public HttpClient Client(string? token = AdminToken)
    {
        var client = App.CreateClient();
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// Creates a team through the API; returns its token.
    public async Task<string> CreateTeamAsync(string name, string[]? emails = null, string[]? escalation = null)
    {
        var response = await Client().PostAsJsonAsync("/api/teams", new
        {
            name,
            emails = emails ?? [$"{name}@corp.example"],
            escalationEmails = escalation ?? [],
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("token").GetString()!;
    }

    /// Registers (or replaces) an app and its pins through the API: pins as "provider/model".
    public async Task PutAppAsync(string team, string app, string[] pins, string? description = null, string? repository = null)
    {
        var response = await Client().PutAsJsonAsync($"/api/teams/{team}/apps/{app}", new
        {
            description,
            repository,
            pins = pins.Select(p => new { provider = p.Split('/')[0], model = p.Split('/')[1] }).ToArray(),
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public Task AddModelAsync(string provider, string model, DateOnly? retiresOn, bool estimate = false, string? successor = null,
        LifecycleStatus status = LifecycleStatus.Deprecated) =>
        App.WithDbAsync(async db =>
        {
            db.ModelVersions.Add(new ModelVersion
            {
                Provider = provider,
                Model = model,
                Status = status,
                RetiresOn = retiresOn,
                RetiresOnIsEstimate = estimate,
                Replacements = successor is null ? [] : [successor],
                FirstSeenAt = Clock.GetUtcNow(),
                UpdatedAt = Clock.GetUtcNow(),
            });
            return await db.SaveChangesAsync();
        });

    /// What reconciling does when a page changes a retirement date: the catalog's view and a change event.
    public Task MoveRetirementAsync(string provider, string model, DateOnly to) =>
        App.WithDbAsync(async db =>
        {
            var version = await db.ModelVersions.SingleAsync(m => m.Provider == provider && m.Model == model);
            var from = version.RetiresOn;
            version.RetiresOn = to;
            version.UpdatedAt = Clock.GetUtcNow();
            db.ChangeEvents.Add(new ChangeEvent
            {
                OccurredAt = Clock.GetUtcNow(),
                Kind = from is null ? ChangeKind.RetirementDateSet : to < from ? ChangeKind.RetirementMovedEarlier : ChangeKind.RetirementMovedLater,
                Provider = provider,
                Model = model,
                OldValue = from?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                NewValue = to.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                SourceName = "test",
            });
            return await db.SaveChangesAsync();
        });

    public async Task<PlanResult> PlanAsync(DateOnly? asOf = null)
    {
        await using var scope = App.Scope();
        return await scope.ServiceProvider.GetRequiredService<NotificationPlanner>().PlanAsync(asOf, dryRun: false, inspect: null, CancellationToken.None);
    }

    public Task<DeliveryResult> DeliverAsync() =>
        App.Services.GetRequiredService<OutboxDelivery>().DeliverAsync(CancellationToken.None);

    /// Plans and delivers; returns the messages the SMTP server received in this round.
    public async Task<IReadOnlyList<MimeKit.MimeMessage>> PlanAndDeliverAsync(DateOnly? asOf = null)
    {
        var before = Smtp.Messages.Count;
        await PlanAsync(asOf);
        await DeliverAsync();
        return Smtp.Messages.Skip(before).ToList();
    }

    public Task<List<Notification>> NotificationsAsync() =>
        App.WithDbAsync(db => db.Set<Notification>().AsNoTracking().OrderBy(n => n.Id).ToListAsync());

    public Task<List<OutboxMessage>> OutboxAsync() =>
        App.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().OrderBy(o => o.Id).ToListAsync());

    public void AdvanceDays(int days) => Clock.Advance(TimeSpan.FromDays(days));

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
