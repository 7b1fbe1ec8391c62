using System.Net;
using System.Text.Json;
using ModelMonitor.Notifications;
using ModelMonitor.Tests.Notifications;

namespace ModelMonitor.Tests.Hardening;

/// Delivery against an SMTP server that misbehaves in scripted ways: silent, 4xx, 5xx per recipient and for all.
public sealed class SmtpFaultTests
{
    private static readonly DateOnly Today = NotifyHarness.Today;

    private static async Task<NotifyHarness> StartAsync(ScriptedSmtpServer smtp, Dictionary<string, string?>? extra = null,
        [System.Runtime.CompilerServices.CallerMemberName] string? hint = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:TimeoutSeconds"] = "1",
        };
        foreach (var (key, value) in extra ?? [])
            settings[key] = value;
        var h = await NotifyHarness.StartAsync(settings, hint: hint);
        await h.AddModelAsync("openai", "gpt-4-0613", Today.AddDays(7), successor: "gpt-4o-2024-08-06");
        return h;
    }

    [Fact]
    public async Task AServerThatNeverAnswersTimesOutAndTheDigestIsSentWhenItAnswersAgain()
    {
        await using var smtp = ScriptedSmtpServer.Start();
        smtp.Silent = true;
        await using var h = await StartAsync(smtp);
        await h.CreateTeamAsync("payments");
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"]);
        await h.PlanAsync();

        Assert.Equal(new DeliveryResult(0, 1), await h.DeliverAsync());
        var row = Assert.Single(await h.OutboxAsync());
        Assert.Equal((1, (DateTimeOffset?)null, (DateTimeOffset?)null), (row.Attempts, row.SentAt, row.FailedAt));
        Assert.Contains("SMTP 127.0.0.1", row.LastError);

        smtp.Silent = false;
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(new DeliveryResult(1, 0), await h.DeliverAsync());
        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task ATemporaryRefusalKeepsTheDigestAndTheRetryDeliversItOnce()
    {
        await using var smtp = ScriptedSmtpServer.Start();
        var busy = true;
        smtp.Rcpt = _ => busy ? "451 4.3.0 Mailbox temporarily unavailable" : null;
        await using var h = await StartAsync(smtp);
        await h.CreateTeamAsync("payments", ["dev@corp.example", "lead@corp.example"]);
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"]);
        await h.PlanAsync();

        Assert.Equal(new DeliveryResult(0, 1), await h.DeliverAsync());
        var row = Assert.Single(await h.OutboxAsync());
        Assert.Equal((1, (DateTimeOffset?)null, (DateTimeOffset?)null), (row.Attempts, row.SentAt, row.FailedAt));
        Assert.StartsWith("SMTP 451", row.LastError);
        Assert.Empty(smtp.Messages);

        busy = false;
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(new DeliveryResult(1, 0), await h.DeliverAsync());
        h.Clock.Advance(TimeSpan.FromHours(6));
        Assert.Equal(new DeliveryResult(0, 0), await h.DeliverAsync());
        var message = Assert.Single(smtp.Messages);
        Assert.Equal(["dev@corp.example", "lead@corp.example"], message.Recipients);
    }

    [Fact]
    public async Task APermanentRefusalOfOneRecipientIsRecordedAndTheOthersStillGetTheDigest()
    {
        await using var smtp = ScriptedSmtpServer.Start();
        smtp.Rcpt = address => address == "left@corp.example" ? "550 5.1.1 No such user" : null;
        await using var h = await StartAsync(smtp);
        await h.CreateTeamAsync("payments", ["dev@corp.example", "left@corp.example"]);
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"]);
        await h.PlanAsync();

        Assert.Equal(new DeliveryResult(1, 0), await h.DeliverAsync());

        Assert.Equal(["dev@corp.example"], Assert.Single(smtp.Messages).Recipients);
        var row = Assert.Single(await h.OutboxAsync());
        Assert.NotNull(row.SentAt);
        Assert.Equal("sent to 1 recipient(s); refused permanently: left@corp.example (550 5.1.1 No such user)", row.LastError);
        // Sent means done: the refused address is not tried again.
        h.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(new DeliveryResult(0, 0), await h.DeliverAsync());
        Assert.Equal(2, smtp.RcptCommands);
    }

    [Fact]
    public async Task APermanentRefusalOfEveryRecipientGivesTheMessageUpAndTheAdminCanSeeIt()
    {
        await using var smtp = ScriptedSmtpServer.Start();
        smtp.Rcpt = _ => "550 5.1.1 No such user";
        await using var h = await StartAsync(smtp);
        await h.CreateTeamAsync("payments", ["gone@corp.example"]);
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"]);
        await h.PlanAsync();

        Assert.Equal(new DeliveryResult(0, 1), await h.DeliverAsync());
        var row = Assert.Single(await h.OutboxAsync());
        Assert.Equal((1, (DateTimeOffset?)null, h.Clock.GetUtcNow()), (row.Attempts, row.SentAt, row.FailedAt));
        Assert.Equal("SMTP refused every recipient permanently: gone@corp.example (550 5.1.1 No such user)", row.LastError);

        h.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(new DeliveryResult(0, 0), await h.DeliverAsync());
        Assert.Equal(1, smtp.RcptCommands);

        var response = await h.Client().GetAsync("/api/outbox/failed");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var failed = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(("payments", "email", 1), (failed.GetProperty("team").GetString(), failed.GetProperty("channel").GetString(), failed.GetProperty("attempts").GetInt32()));
        Assert.StartsWith("SMTP refused every recipient permanently", failed.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task TheFailedDeliveriesListIsForTheAdminOnly()
    {
        await using var smtp = ScriptedSmtpServer.Start();
        await using var h = await StartAsync(smtp);
        var token = await h.CreateTeamAsync("payments");

        Assert.Equal(HttpStatusCode.Forbidden, (await h.Client(token).GetAsync("/api/outbox/failed")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await h.Client(null).GetAsync("/api/outbox/failed")).StatusCode);
    }

    [Fact]
    public async Task AMessageRefusedAtDataWithAFiveHundredIsGivenUp()
    {
        await using var smtp = ScriptedSmtpServer.Start();
        smtp.AfterData = () => "554 5.6.0 Message content rejected";
        await using var h = await StartAsync(smtp);
        await h.CreateTeamAsync("payments");
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"]);
        await h.PlanAsync();

        Assert.Equal(new DeliveryResult(0, 1), await h.DeliverAsync());

        var row = Assert.Single(await h.OutboxAsync());
        Assert.NotNull(row.FailedAt);
        Assert.StartsWith("SMTP 554", row.LastError);
    }

    [Fact]
    public async Task ASenderRefusedWithAFiveHundredIsOurConfigurationAndIsRetriedNotGivenUp()
    {
        await using var smtp = ScriptedSmtpServer.Start();
        smtp.Mail = () => "550 5.7.1 Sender address rejected";
        await using var h = await StartAsync(smtp);
        await h.CreateTeamAsync("payments");
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"]);
        await h.PlanAsync();

        Assert.Equal(new DeliveryResult(0, 1), await h.DeliverAsync());

        var row = Assert.Single(await h.OutboxAsync());
        Assert.Null(row.FailedAt);
        Assert.StartsWith("SMTP 550", row.LastError);
        Assert.InRange(row.NextAttemptAt - h.Clock.GetUtcNow(), TimeSpan.FromSeconds(48), TimeSpan.FromSeconds(72));
    }

    [Fact]
    public async Task AMessageThatKeepsFailingIsGivenUpAfterMaxAttemptsAndNotTriedAgain()
    {
        await using var smtp = ScriptedSmtpServer.Start();
        smtp.Rcpt = _ => "421 4.4.5 Too busy, try later";
        await using var h = await StartAsync(smtp, new() { ["Notifications:Delivery:MaxAttempts"] = "3" });
        await h.CreateTeamAsync("payments");
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"]);
        await h.PlanAsync();

        for (var pass = 0; pass < 3; pass++)
        {
            Assert.Equal(new DeliveryResult(0, 1), await h.DeliverAsync());
            h.Clock.Advance(TimeSpan.FromHours(7));
        }
        Assert.Equal(new DeliveryResult(0, 0), await h.DeliverAsync());

        var row = Assert.Single(await h.OutboxAsync());
        Assert.Equal(3, row.Attempts);
        Assert.NotNull(row.FailedAt);
        Assert.EndsWith("(gave up after 3 attempts: Notifications:Delivery:MaxAttempts)", row.LastError);
        Assert.Equal(3, smtp.RcptCommands);
    }
}
