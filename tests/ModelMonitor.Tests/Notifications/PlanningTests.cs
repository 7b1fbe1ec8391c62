using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using ModelMonitor.Catalog;
using ModelMonitor.Notifications;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Notifications;

public sealed class PlanningTests
{
    private static readonly DateOnly Today = NotifyHarness.Today;

    private static async Task<NotifyHarness> OnePinAsync(int daysLeft, [System.Runtime.CompilerServices.CallerMemberName] string? hint = null)
    {
        var h = await NotifyHarness.StartAsync(hint: hint);
        await h.AddModelAsync("openai", "gpt-4-0613", Today.AddDays(daysLeft), successor: "gpt-4o-2024-08-06");
        await h.AddModelAsync("openai", "gpt-4o-2024-08-06", null, status: LifecycleStatus.Active);
        await h.CreateTeamAsync("payments");
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"]);
        return h;
    }

    [Fact]
    public async Task ASecondPlanningRunTheSameDaySendsNothingNew()
    {
        await using var h = await OnePinAsync(7);
        Assert.Single(await h.PlanAndDeliverAsync());
        var planned = (await h.NotificationsAsync()).Count;

        h.Clock.Advance(TimeSpan.FromHours(3));
        var second = await h.PlanAsync();

        Assert.Equal(0, second.Planned);
        Assert.Empty(second.DigestIds);
        Assert.Empty(await h.PlanAndDeliverAsync());
        Assert.Equal(planned, (await h.NotificationsAsync()).Count);
    }

    [Fact]
    public async Task ARetirementMovedEarlierIsSentTheSameDay()
    {
        await using var h = await OnePinAsync(75);
        Assert.Single(await h.PlanAndDeliverAsync()); // the 90-day reminder

        h.Clock.Advance(TimeSpan.FromHours(2));
        await h.MoveRetirementAsync("openai", "gpt-4-0613", Today.AddDays(20));
        var message = Assert.Single(await h.PlanAndDeliverAsync());

        Assert.Equal("gpt-4-0613 retires in 20 days — 1 app of team payments", message.Subject);
        Assert.Contains("retirement moved earlier (2027-02-11 → 2026-12-18)", message.TextBody);
    }

    [Fact]
    public async Task AnEventCommittedAfterAPlanningRunSawANewerOneIsStillSent()
    {
        await using var h = await OnePinAsync(75);
        Assert.Single(await h.PlanAndDeliverAsync());
        // A reconcile of another source committed first with a higher id; planning ran and saw it.
        await h.App.WithDbAsync(db =>
        {
            db.ChangeEvents.Add(new ChangeEvent
            {
                Id = 1_000_000, OccurredAt = h.Clock.GetUtcNow(), Kind = ChangeKind.ModelAdded,
                Provider = "openai", Model = "gpt-unrelated", SourceName = "test",
            });
            return db.SaveChangesAsync();
        });
        Assert.Empty(await h.PlanAndDeliverAsync());

        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.MoveRetirementAsync("openai", "gpt-4-0613", Today.AddDays(20)); // a lower id, committed later
        var message = Assert.Single(await h.PlanAndDeliverAsync());

        Assert.Contains("retirement moved earlier", message.TextBody);
    }

    [Fact]
    public async Task ARetirementMovedLaterWaitsForTheNextDigest()
    {
        await using var h = await OnePinAsync(7);
        Assert.Single(await h.PlanAndDeliverAsync());

        await h.MoveRetirementAsync("openai", "gpt-4-0613", Today.AddDays(40));
        Assert.Empty(await h.PlanAndDeliverAsync());

        h.AdvanceDays(10); // 30 days left: the next real alert carries the news along
        var message = Assert.Single(await h.PlanAndDeliverAsync());
        Assert.Equal("gpt-4-0613 retires in 30 days — 1 app of team payments", message.Subject);
        Assert.Contains("retirement moved later (2026-12-05 → 2027-01-07)", message.TextBody);
    }

    [Fact]
    public async Task AWaiverSilencesAPinUntilItsDateAndThenExpires()
    {
        await using var h = await OnePinAsync(25);
        var response = await h.Client().PostAsJsonAsync("/api/teams/payments/apps/checkout/pins/gpt-4-0613/waiver",
            new { until = "2026-12-03", reason = "migration scheduled for next sprint" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        for (var day = 0; day <= 5; day++)
        {
            Assert.Empty(await h.PlanAndDeliverAsync());
            h.AdvanceDays(1);
        }

        // 2026-12-04: the waiver ended yesterday; the pin is at its 30-day milestone, not yet sent.
        var message = Assert.Single(await h.PlanAndDeliverAsync());
        Assert.Equal("gpt-4-0613 retires in 19 days — 1 app of team payments", message.Subject);
    }

    [Fact]
    public async Task ARetirementMovedEarlierReopensAWaiver()
    {
        await using var h = await OnePinAsync(60);
        Assert.Single(await h.PlanAndDeliverAsync());
        var response = await h.Client().PostAsJsonAsync("/api/teams/payments/apps/checkout/pins/gpt-4-0613/waiver",
            new { until = "2027-01-20", reason = "not before the holidays" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.MoveRetirementAsync("openai", "gpt-4-0613", Today.AddDays(10));
        var message = Assert.Single(await h.PlanAndDeliverAsync());

        Assert.Contains("retirement moved earlier", message.TextBody);
    }

    [Fact]
    public async Task APinMovedToAnotherModelStopsAlerting()
    {
        await using var h = await OnePinAsync(-1);
        var message = Assert.Single(await h.PlanAndDeliverAsync());
        Assert.Equal("gpt-4-0613 retired 1 day ago — 1 app of team payments", message.Subject);
        h.AdvanceDays(1);
        Assert.Single(await h.PlanAndDeliverAsync()); // daily while it is pinned

        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4o-2024-08-06"]);
        for (var day = 0; day < 3; day++)
        {
            h.AdvanceDays(1);
            Assert.Empty(await h.PlanAndDeliverAsync());
        }
    }

    [Fact]
    public async Task MovingTheClockThroughTheMilestonesAlertsOnceAtEach()
    {
        await using var h = await OnePinAsync(100);
        var alerts = new List<string>();

        for (var day = 0; day <= 102; day++)
        {
            foreach (var message in await h.PlanAndDeliverAsync())
                alerts.Add(message.Subject!.Split(" — ")[0]);
            h.AdvanceDays(1);
        }

        Assert.Equal(
        [
            "gpt-4-0613 retires in 90 days", "gpt-4-0613 retires in 60 days", "gpt-4-0613 retires in 30 days",
            "gpt-4-0613 retires in 14 days", "gpt-4-0613 retires in 7 days", "gpt-4-0613 retires in 3 days",
            "gpt-4-0613 retires tomorrow", "gpt-4-0613 retires today",
            "gpt-4-0613 retired 1 day ago", "gpt-4-0613 retired 2 days ago",
        ], alerts);
    }

    [Fact]
    public async Task AModelPinnedDirectlyAndOnAPlatformIsPlannedDirectPinFirst()
    {
        // One digest entry holds both items and shows the facts of the later one, so their order is what the team reads.
        await using var h = await NotifyHarness.StartAsync();
        await h.AddModelAsync("anthropic", "claude-3-opus", Today.AddDays(7));
        await h.AddModelAsync("aws-bedrock", "claude-3-opus", Today.AddDays(30));
        await h.CreateTeamAsync("payments");
        // The platform pin is registered first, so it has the lower id.
        var response = await h.Client().PutAsJsonAsync("/api/teams/payments/apps/checkout", new
        {
            pins = new object[]
            {
                new { provider = "anthropic", model = "claude-3-opus", platform = "aws-bedrock" },
                new { provider = "anthropic", model = "claude-3-opus" },
            },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        await h.PlanAsync();

        Assert.Equal([("anthropic", 7), ("aws-bedrock", 30)],
            (await h.NotificationsAsync()).Select(n => (n.Platform, n.Milestone ?? -1)).ToArray());
    }

    [Fact]
    public async Task PinsOfOneModelInTwoEnvironmentsArePlannedInTheOrderTheyWereRegistered()
    {
        // A digest lists equally urgent items of one app and model in planning order.
        await using var h = await NotifyHarness.StartAsync();
        await h.AddModelAsync("openai", "gpt-4-0613", Today.AddDays(7));
        await h.CreateTeamAsync("payments");
        var response = await h.Client().PutAsJsonAsync("/api/teams/payments/apps/checkout", new
        {
            pins = new object[]
            {
                new { provider = "openai", model = "gpt-4-0613", environment = "staging" },
                new { provider = "openai", model = "gpt-4-0613", environment = "prod" },
            },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        await h.PlanAsync();

        Assert.Equal(["staging", "prod"], (await h.NotificationsAsync()).Select(n => n.Environment).ToArray());
    }

    [Fact]
    public async Task AReadyPinAlertsOnlyAtTheQuieterMilestones()
    {
        await using var h = await OnePinAsync(40);
        await h.App.WithDbAsync(async db =>
        {
            var pin = await db.Pins.SingleAsync();
            await Readiness.RecordAsync(db, pin.Id, Readiness.Ready, h.Clock.GetUtcNow().AddDays(-30), CancellationToken.None);
            return 0;
        });

        for (var day = 0; day <= 40; day++)
        {
            await h.PlanAndDeliverAsync();
            h.AdvanceDays(1);
        }

        var milestones = (await h.NotificationsAsync()).Where(n => n.Reason == Reasons.Milestone).Select(n => n.Milestone).ToList();
        Assert.Equal([30, 7, 1, 0], milestones);
    }

    [Fact]
    public async Task AVerdictTurningNotReadyAlertsAtOnce()
    {
        await using var h = await OnePinAsync(45);
        Assert.Single(await h.PlanAndDeliverAsync());

        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.App.WithDbAsync(async db =>
        {
            var pin = await db.Pins.SingleAsync();
            await Readiness.RecordAsync(db, pin.Id, Readiness.NotReady, h.Clock.GetUtcNow(), CancellationToken.None);
            return 0;
        });
        var message = Assert.Single(await h.PlanAndDeliverAsync());

        Assert.Contains("Why: readiness is now not-ready", message.TextBody);
    }

    [Fact]
    public async Task AnAliasRePointedAlertsThePinsOfTheAlias()
    {
        await using var h = await NotifyHarness.StartAsync();
        await h.AddModelAsync("openai", "gpt-4o-2024-08-06", null, status: LifecycleStatus.Active);
        await h.AddModelAsync("openai", "gpt-4o-2024-11-20", null, status: LifecycleStatus.Active);
        await h.App.WithDbAsync(async db =>
        {
            db.ModelAliases.Add(new ModelAlias { Provider = "openai", Alias = "gpt-4o", Target = "gpt-4o-2024-08-06", ValidFrom = h.Clock.GetUtcNow().AddDays(-100) });
            return await db.SaveChangesAsync();
        });
        await h.CreateTeamAsync("payments");
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4o"]);
        Assert.Empty(await h.PlanAndDeliverAsync());

        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.App.WithDbAsync(async db =>
        {
            db.ChangeEvents.Add(new ChangeEvent
            {
                OccurredAt = h.Clock.GetUtcNow(), Kind = ChangeKind.AliasRepointed, Provider = "openai", Model = "gpt-4o",
                OldValue = "gpt-4o-2024-08-06", NewValue = "gpt-4o-2024-11-20", SourceName = "test",
            });
            return await db.SaveChangesAsync();
        });
        var message = Assert.Single(await h.PlanAndDeliverAsync());

        Assert.Equal("gpt-4o now points to another version — 1 app of team payments", message.Subject);
        Assert.Contains("alias re-pointed (gpt-4o-2024-08-06 → gpt-4o-2024-11-20)", message.TextBody);
    }

    [Fact]
    public async Task AWaiverForADateInThePastIsRejectedNamingTheField()
    {
        await using var h = await OnePinAsync(25);

        var response = await h.Client().PostAsJsonAsync("/api/teams/payments/apps/checkout/pins/gpt-4-0613/waiver",
            new { until = "2026-11-01", reason = "late" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("until: is in the past", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ADryRunPrintsTheDigestsAndWritesNothing()
    {
        await using var h = await OnePinAsync(7);

        var result = await MonitorProcess.RunAsync(["notify", "--dry-run", "--as-of", "2026-11-28"], new Dictionary<string, string?>
        {
            ["ConnectionStrings__Monitor"] = h.App.ConnectionString,
            ["Auth__AdminToken"] = NotifyHarness.AdminToken,
            ["Scheduling__Enabled"] = "false",
        });

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("=== digest for team payments", result.Stdout);
        Assert.Contains("Subject: gpt-4-0613 retires in 7 days — 1 app of team payments", result.Stdout);
        Assert.Contains("nothing was written", result.Stdout);
        Assert.Empty(await h.NotificationsAsync());
        Assert.Equal(0, await h.App.WithDbAsync(db => db.Set<NotificationRun>().CountAsync()));
    }
}
