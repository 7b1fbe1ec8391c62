using ModelMonitor.Tests.Notifications;

namespace ModelMonitor.Tests.Scheduling;

/// Two nodes' planning jobs firing at once (a clock skew, a manual `monitor notify` during the hourly run):
/// the planner's lock and the notifications' unique key let one of them plan, and nothing is queued twice.
public sealed class ClusterPlanningTests
{
    [Fact]
    public async Task TwoNodesPlanningAtOnceQueueEachNotificationOnce()
    {
        await using var h = await NotifyHarness.StartAsync();
        await h.AddModelAsync("openai", "gpt-4-0613", NotifyHarness.Today.AddDays(7), successor: "gpt-4o-2024-08-06");
        for (var i = 1; i <= 6; i++)
        {
            await h.CreateTeamAsync($"team-{i}");
            await h.PutAppAsync($"team-{i}", "app", ["openai/gpt-4-0613"]);
        }

        var runs = await Task.WhenAll(Task.Run(() => h.PlanAsync()), Task.Run(() => h.PlanAsync()));
        await h.DeliverAsync();

        Assert.Equal(6, runs.Sum(r => r.Planned));
        Assert.Contains(runs, r => r.Planned == 0);
        var notifications = await h.NotificationsAsync();
        Assert.Equal(6, notifications.Count);
        Assert.Equal(6, (await h.OutboxAsync()).Count);
        Assert.Equal(6, h.Smtp.Messages.Count);
        Assert.Equal(6, h.Smtp.Messages.SelectMany(m => m.To.Mailboxes).Select(m => m.Address).Distinct().Count());
    }
}
