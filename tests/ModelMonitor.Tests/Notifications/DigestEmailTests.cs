using System.Text;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using ModelMonitor.Catalog;
using ModelMonitor.Notifications;

namespace ModelMonitor.Tests.Notifications;

/// Digests as a real SMTP server receives them from MailKit.
public sealed class DigestEmailTests
{
    private static readonly DateOnly Today = NotifyHarness.Today;

    private static async Task<NotifyHarness> PaymentsAsync(string? description = null)
    {
        var h = await NotifyHarness.StartAsync(hint: "digest");
        await h.AddModelAsync("openai", "gpt-4-0613", Today.AddDays(7), successor: "gpt-4o-2024-08-06");
        await h.AddModelAsync("openai", "gpt-4o-2024-08-06", null, status: LifecycleStatus.Active);
        await h.CreateTeamAsync("payments", ["ml@payments.example"], ["cto@payments.example"]);
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"], description);
        await h.PutAppAsync("payments", "refunds", ["openai/gpt-4-0613"]);
        return h;
    }

    [Fact]
    public async Task ADigestArrivesOverSmtpWithEveryFactOfEachItem()
    {
        await using var h = await PaymentsAsync();

        var message = Assert.Single(await h.PlanAndDeliverAsync());

        Assert.Equal("gpt-4-0613 retires in 7 days — 2 apps of team payments", message.Subject);
        Assert.Equal("ml@payments.example", Assert.Single(message.To.Mailboxes).Address);
        Assert.Empty(message.Cc);
        var text = message.TextBody;
        Assert.Contains("1. gpt-4-0613 retires in 7 days", text);
        Assert.Contains("App: checkout", text);
        Assert.Contains("App: refunds", text);
        Assert.Contains("Why: 7-day reminder", text);
        Assert.Contains("Platform: openai", text);
        Assert.Contains("Date: 2026-12-05 (firm)", text);
        Assert.Contains("Days left: 7", text);
        Assert.Contains("Successor: gpt-4o-2024-08-06", text);
        Assert.Contains("Readiness: unknown", text);
        Assert.Contains("Report: https://monitor.test/teams/payments/apps/checkout", text);
        Assert.Contains("<a href=\"https://monitor.test/teams/payments/apps/refunds\">", message.HtmlBody);
    }

    [Fact]
    public async Task TheAttachedCalendarHoldsTheRetirementDate()
    {
        await using var h = await PaymentsAsync();

        var message = Assert.Single(await h.PlanAndDeliverAsync());

        var attachment = Assert.Single(message.Attachments.OfType<MimePart>());
        Assert.Equal("text/calendar", attachment.ContentType.MimeType);
        Assert.Equal("retirements.ics", attachment.FileName);
        using var stream = new MemoryStream();
        await attachment.Content!.DecodeToAsync(stream);
        var calendar = Ical.Net.Calendar.Load(Encoding.UTF8.GetString(stream.ToArray()))!;
        var retirement = Assert.Single(calendar.Events);
        Assert.Equal(new DateOnly(2026, 12, 5), retirement.DtStart!.Date);
        Assert.False(retirement.DtStart.HasTime);
        Assert.Contains("gpt-4-0613", retirement.Summary);
        Assert.Contains("checkout, refunds", retirement.Description);
    }

    [Fact]
    public async Task EveryTeamSuppliedStringIsEscapedInTheHtmlPart()
    {
        await using var h = await PaymentsAsync(description: "<script>alert('x')</script> & \"friends\"");

        var message = Assert.Single(await h.PlanAndDeliverAsync());

        Assert.DoesNotContain("<script>", message.HtmlBody);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;friends&quot;", message.HtmlBody);
        // The plain-text part shows it as written.
        Assert.Contains("<script>alert('x')</script>", message.TextBody);
    }

    [Fact]
    public async Task TheMessageIdIsDerivedFromTheDigest()
    {
        await using var h = await PaymentsAsync();

        var message = Assert.Single(await h.PlanAndDeliverAsync());

        var digest = await h.App.WithDbAsync(db => db.Set<Digest>().SingleAsync());
        Assert.Equal($"digest-{digest.Id}@monitor.test", message.MessageId);
    }

    [Fact]
    public async Task ANotReadyPinCopiesTheTeamsEscalationAddresses()
    {
        await using var h = await PaymentsAsync();
        await h.App.WithDbAsync(async db =>
        {
            var pin = await db.Pins.SingleAsync(p => p.App!.Name == "checkout");
            await Readiness.RecordAsync(db, pin.Id, Readiness.NotReady, h.Clock.GetUtcNow(), CancellationToken.None);
            return 0;
        });

        var message = Assert.Single(await h.PlanAndDeliverAsync());

        Assert.Equal("cto@payments.example", Assert.Single(message.Cc.Mailboxes).Address);
        Assert.Contains("Readiness: not-ready", message.TextBody);
        // Not-ready comes first among equally urgent items.
        var text = message.TextBody!;
        Assert.True(text.IndexOf("App: checkout", StringComparison.Ordinal) < text.IndexOf("App: refunds", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnEstimatedDateIsWordedAsAnEstimate()
    {
        await using var h = await NotifyHarness.StartAsync();
        await h.AddModelAsync("anthropic", "claude-3-5-sonnet-20241022", Today.AddDays(14), estimate: true, successor: "claude-sonnet-4-5");
        await h.CreateTeamAsync("search");
        await h.PutAppAsync("search", "ranker", ["anthropic/claude-3-5-sonnet-20241022"]);

        var message = Assert.Single(await h.PlanAndDeliverAsync());

        Assert.Equal("claude-3-5-sonnet-20241022 retires in 14 days at the earliest (estimate) — 1 app of team search", message.Subject);
        Assert.Contains("Date: not before 2026-12-12 (estimate)", message.TextBody);
    }

    [Fact]
    public async Task OperatorsGetADigestOfUnhealthySources()
    {
        await using var h = await NotifyHarness.StartAsync(new Dictionary<string, string?> { ["Notifications:OperatorEmails:0"] = "ops@corp.example" });
        await h.App.WithDbAsync(async db =>
        {
            db.Sources.Add(new ModelMonitor.Sources.SourceState { Name = "openai-deprecations", Provider = "openai", Health = ModelMonitor.Sources.SourceHealth.Unhealthy, LastError = "the page yielded 2 rows, last time 40", ConsecutiveFailures = 3 });
            db.Sources.Add(new ModelMonitor.Sources.SourceState { Name = "anthropic-deprecations", Provider = "anthropic", Health = ModelMonitor.Sources.SourceHealth.Healthy });
            return await db.SaveChangesAsync();
        });

        var message = Assert.Single(await h.PlanAndDeliverAsync());

        Assert.Equal("ops@corp.example", Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal("1 unhealthy source: openai-deprecations", message.Subject);
        Assert.Contains("the page yielded 2 rows, last time 40 (3 consecutive failure(s))", message.TextBody);
    }
}
