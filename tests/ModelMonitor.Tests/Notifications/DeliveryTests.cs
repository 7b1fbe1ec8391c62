using Microsoft.Extensions.DependencyInjection;
using ModelMonitor.Notifications;

namespace ModelMonitor.Tests.Notifications;

public sealed class DeliveryTests
{
    private static readonly DateOnly Today = NotifyHarness.Today;

    private static async Task TeamsPinningARetiringModelAsync(NotifyHarness h, int teams)
    {
        await h.AddModelAsync("openai", "gpt-4-0613", Today.AddDays(7), successor: "gpt-4o-2024-08-06");
        for (var i = 1; i <= teams; i++)
        {
            await h.CreateTeamAsync($"team-{i}");
            await h.PutAppAsync($"team-{i}", "app", ["openai/gpt-4-0613"]);
        }
    }

    [Fact]
    public async Task WithTheServerDownDigestsAreRetriedWithBackoffAndDeliveredExactlyOnceWhenItComesBack()
    {
        await using var h = await NotifyHarness.StartAsync(smtpUp: false);
        await TeamsPinningARetiringModelAsync(h, 2);
        await h.PlanAsync();

        var first = await h.DeliverAsync();
        Assert.Equal(new DeliveryResult(0, 2), first);
        var outbox = await h.OutboxAsync();
        Assert.All(outbox, o =>
        {
            Assert.Equal(1, o.Attempts);
            Assert.Null(o.SentAt);
            Assert.Contains("SMTP 127.0.0.1", o.LastError);
            // 60 s base, ±20 % jitter.
            Assert.InRange(o.NextAttemptAt - h.Clock.GetUtcNow(), TimeSpan.FromSeconds(48), TimeSpan.FromSeconds(72));
        });

        h.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(new DeliveryResult(0, 0), await h.DeliverAsync());

        h.Clock.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(new DeliveryResult(0, 2), await h.DeliverAsync());
        Assert.All(await h.OutboxAsync(), o =>
        {
            Assert.Equal(2, o.Attempts);
            Assert.InRange(o.NextAttemptAt - h.Clock.GetUtcNow(), TimeSpan.FromSeconds(96), TimeSpan.FromSeconds(144));
        });

        await h.Smtp.StartListeningAsync();
        h.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(new DeliveryResult(2, 0), await h.DeliverAsync());
        h.Clock.Advance(TimeSpan.FromHours(12));
        Assert.Equal(new DeliveryResult(0, 0), await h.DeliverAsync());

        Assert.Equal(2, h.Smtp.Messages.Count);
        Assert.Equal(2, h.Smtp.Messages.Select(m => m.MessageId).Distinct().Count());
        Assert.All(await h.OutboxAsync(), o =>
        {
            Assert.Equal(3, o.Attempts);
            Assert.NotNull(o.SentAt);
        });
    }

    [Fact]
    public async Task ABatchOfDigestsTravelsOverOneSmtpConnection()
    {
        await using var h = await NotifyHarness.StartAsync();
        await TeamsPinningARetiringModelAsync(h, 5);

        var messages = await h.PlanAndDeliverAsync();

        Assert.Equal(5, messages.Count);
        Assert.Equal(1, h.Smtp.SessionsWithMail);
    }

    [Fact]
    public async Task TwoNodesDeliveringAtOnceSendEachDigestOnce()
    {
        await using var h = await NotifyHarness.StartAsync(new Dictionary<string, string?> { ["Notifications:Delivery:BatchSize"] = "3" });
        await TeamsPinningARetiringModelAsync(h, 12);
        await h.PlanAsync();
        var other = ActivatorUtilities.CreateInstance<OutboxDelivery>(h.App.Services);

        var results = await Task.WhenAll(
            Task.Run(() => h.DeliverAsync()),
            Task.Run(() => other.DeliverAsync(CancellationToken.None)));

        Assert.Equal(12, results.Sum(r => r.Sent));
        Assert.Equal(12, h.Smtp.Messages.Count);
        Assert.Equal(12, h.Smtp.Messages.Select(m => m.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task WithoutAnSmtpHostDigestsAreWrittenToThePickupFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"monitor-pickup-{Guid.NewGuid():N}");
        try
        {
            await using var h = await NotifyHarness.StartAsync(new Dictionary<string, string?>
            {
                ["Smtp:Host"] = "",
                ["Mail:PickupDirectory"] = folder,
            });
            await TeamsPinningARetiringModelAsync(h, 2);

            await h.PlanAsync();
            Assert.Equal(new DeliveryResult(2, 0), await h.DeliverAsync());

            var files = Directory.GetFiles(folder, "*.eml");
            Assert.Equal(2, files.Length);
            var message = await MimeKit.MimeMessage.LoadAsync(files[0]);
            Assert.StartsWith("gpt-4-0613 retires in 7 days — 1 app of team team-", message.Subject);
            Assert.Empty(h.Smtp.Messages);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}
