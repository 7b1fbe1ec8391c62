using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelMonitor.Catalog;
using ModelMonitor.Notifications;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Notifications;

/// The calendar feed, the webhook and the GitHub issue channel.
public sealed class ChannelTests
{
    private static readonly DateOnly Today = NotifyHarness.Today;

    [Fact]
    public async Task TheCalendarFeedParsesAsICalendarWithAlarmsAtTheMilestones()
    {
        await using var h = await NotifyHarness.StartAsync();
        await h.AddModelAsync("openai", "gpt-4-0613", Today.AddDays(7), successor: "gpt-4o-2024-08-06");
        await h.AddModelAsync("anthropic", "claude-3-5-sonnet-20241022", new DateOnly(2027, 2, 1), estimate: true);
        await h.AddModelAsync("openai", "gpt-4o-2024-08-06", null, status: LifecycleStatus.Active);
        var token = await h.CreateTeamAsync("payments");
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613", "openai/gpt-4o-2024-08-06"]);
        await h.PutAppAsync("payments", "ranker", ["anthropic/claude-3-5-sonnet-20241022", "openai/gpt-4-0613"]);

        var response = await h.Client(token).GetAsync("/api/teams/payments/calendar.ics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        var calendar = Ical.Net.Calendar.Load(await response.Content.ReadAsStringAsync())!;
        var events = calendar.Events.OrderBy(e => e.DtStart!.Date).ToList();
        Assert.Equal(2, events.Count);
        Assert.Equal(new DateOnly(2026, 12, 5), events[0].DtStart!.Date);
        Assert.Contains("checkout, ranker", events[0].Description);
        Assert.Equal(new DateOnly(2027, 2, 1), events[1].DtStart!.Date);
        Assert.Contains("estimate", events[1].Summary);
        var alarms = events[0].Alarms.Select(a => -a.Trigger!.Duration!.Value.ToTimeSpanUnspecified().TotalDays).OrderDescending().ToList();
        Assert.Equal([90.0, 60, 30, 14, 7, 3, 1], alarms);
    }

    [Fact]
    public async Task AnotherTeamsCalendarIsNotFound()
    {
        await using var h = await NotifyHarness.StartAsync();
        await h.CreateTeamAsync("payments");
        var other = await h.CreateTeamAsync("search");

        var response = await h.Client(other).GetAsync("/api/teams/payments/calendar.ics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TheWebhookReceivesTheDigestSignedWithTheTeamsSecret()
    {
        var received = new ConcurrentQueue<(string Signature, byte[] Body)>();
        await using var receiver = await Receiver.StartAsync(received);
        // A loopback receiver has to be on the allow list (webhooks refuse internal addresses otherwise).
        await using var h = await NotifyHarness.StartAsync(new Dictionary<string, string?> { ["Notifications:WebhookAllowedHosts:0"] = "127.0.0.1" });
        await h.AddModelAsync("openai", "gpt-4-0613", Today.AddDays(7), successor: "gpt-4o-2024-08-06");
        var token = await h.CreateTeamAsync("payments");
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"]);
        var put = await h.Client(token).PutAsJsonAsync("/api/teams/payments/webhook", new { url = receiver.Url + "hook" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var secret = JsonDocument.Parse(await put.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;

        await h.PlanAndDeliverAsync();

        var (signature, body) = Assert.Single(received);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
        Assert.Equal(expected, signature);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("payments", json.RootElement.GetProperty("team").GetString());
        var item = Assert.Single(json.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("gpt-4-0613", item.GetProperty("model").GetString());
        Assert.Equal(7, item.GetProperty("daysLeft").GetInt32());
        Assert.Single(h.Smtp.Messages); // the email goes too
    }

    [Fact]
    public async Task AGitHubIssueIsOpenedUpdatedAndClosedWhenThePinMoves()
    {
        var issues = new GitHubIssues();
        await using var github = await GitHubServer.StartAsync(issues.Map);
        await using var h = await NotifyHarness.StartAsync(new Dictionary<string, string?>
        {
            ["GitHub:BaseUrl"] = github.BaseAddress.ToString(),
            ["GitHub:Token"] = "ghp_test",
            ["Notifications:GitHubIssues"] = "true",
        });
        await h.AddModelAsync("openai", "gpt-4-0613", Today.AddDays(7), successor: "gpt-4o-2024-08-06");
        await h.AddModelAsync("openai", "gpt-4o-2024-08-06", null, status: LifecycleStatus.Active);
        await h.CreateTeamAsync("payments");
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"], repository: "acme/checkout");

        await h.PlanAndDeliverAsync();
        var issue = Assert.Single(issues.All("acme/checkout"));
        Assert.Equal("Model retirement: gpt-4-0613 on 2026-12-05", issue.Title);
        Assert.Equal("open", issue.State);
        Assert.Contains("<!-- monitor-issue/payments/checkout/openai/gpt-4-0613// -->", issue.Body);

        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.MoveRetirementAsync("openai", "gpt-4-0613", Today.AddDays(3));
        await h.PlanAndDeliverAsync();
        issue = Assert.Single(issues.All("acme/checkout"));
        Assert.Equal("Model retirement: gpt-4-0613 on 2026-12-01", issue.Title);

        // The issue number is lost (say, a restore): the marker still finds the same issue.
        await h.App.WithDbAsync(db => db.Set<GitHubIssue>().ExecuteUpdateAsync(s => s.SetProperty(g => g.Number, (int?)null)));
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4o-2024-08-06"], repository: "acme/checkout");
        h.AdvanceDays(1);
        await h.PlanAndDeliverAsync();
        issue = Assert.Single(issues.All("acme/checkout"));
        Assert.Equal("closed", issue.State);
        Assert.Contains("no longer pins", issue.Body);
        Assert.All(await h.OutboxAsync(), o => Assert.NotNull(o.SentAt));
    }

    /// Issues routes for the local GitHub API server: list (with label and state filters), get, create, update.
    private sealed class GitHubIssues
    {
        private readonly ConcurrentDictionary<string, List<StoredIssue>> _repos = new();

        public sealed class StoredIssue
        {
            public int Number { get; init; }
            public string Title { get; set; } = "";
            public string Body { get; set; } = "";
            public string State { get; set; } = "open";
            public List<string> Labels { get; init; } = [];
        }

        public IReadOnlyList<StoredIssue> All(string repository) => _repos.GetOrAdd(repository, _ => []).ToList();

        public void Map(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder routes, GitHubServer server)
        {
            routes.MapGet("/repos/{owner}/{repo}/issues", (string owner, string repo, string? state, string? labels) =>
            {
                var list = All($"{owner}/{repo}")
                    .Where(i => state == "all" || i.State == (state ?? "open"))
                    .Where(i => labels is null || labels.Split(',').All(i.Labels.Contains));
                return Results.Json(list.Select(i => Json(owner, repo, i)));
            });
            routes.MapGet("/repos/{owner}/{repo}/issues/{number:int}", (string owner, string repo, int number) =>
                All($"{owner}/{repo}").FirstOrDefault(i => i.Number == number) is { } issue ? Results.Json(Json(owner, repo, issue)) : GitHubServer.NotFound());
            routes.MapPost("/repos/{owner}/{repo}/issues", async (string owner, string repo, HttpRequest request) =>
            {
                using var body = await JsonDocument.ParseAsync(request.Body);
                var list = _repos.GetOrAdd($"{owner}/{repo}", _ => []);
                lock (list)
                {
                    var issue = new StoredIssue
                    {
                        Number = list.Count + 1,
                        Title = body.RootElement.GetProperty("title").GetString()!,
                        Body = body.RootElement.GetProperty("body").GetString()!,
                        Labels = body.RootElement.TryGetProperty("labels", out var l) ? l.EnumerateArray().Select(x => x.GetString()!).ToList() : [],
                    };
                    list.Add(issue);
                    return Results.Json(Json(owner, repo, issue), statusCode: 201);
                }
            });
            routes.MapMethods("/repos/{owner}/{repo}/issues/{number:int}", ["PATCH"], async (string owner, string repo, int number, HttpRequest request) =>
            {
                if (All($"{owner}/{repo}").FirstOrDefault(i => i.Number == number) is not { } issue)
                    return GitHubServer.NotFound();
                using var body = await JsonDocument.ParseAsync(request.Body);
                if (body.RootElement.TryGetProperty("title", out var title))
                    issue.Title = title.GetString()!;
                if (body.RootElement.TryGetProperty("body", out var text))
                    issue.Body = text.GetString()!;
                if (body.RootElement.TryGetProperty("state", out var state))
                    issue.State = state.GetString()!;
                return Results.Json(Json(owner, repo, issue));
            });
        }

        private static Dictionary<string, object?> Json(string owner, string repo, StoredIssue issue) => new()
        {
            ["id"] = 1000 + issue.Number,
            ["node_id"] = $"I_{issue.Number}",
            ["number"] = issue.Number,
            ["title"] = issue.Title,
            ["body"] = issue.Body,
            ["state"] = issue.State,
            ["url"] = $"https://api.github.test/repos/{owner}/{repo}/issues/{issue.Number}",
            ["html_url"] = $"https://github.test/{owner}/{repo}/issues/{issue.Number}",
            ["user"] = new Dictionary<string, object?> { ["login"] = "monitor-bot", ["id"] = 1 },
            ["labels"] = issue.Labels.Select((l, i) => new Dictionary<string, object?> { ["id"] = i + 1, ["name"] = l, ["color"] = "ededed" }).ToList(),
            ["comments"] = 0,
            ["created_at"] = "2026-11-28T09:00:00Z",
            ["updated_at"] = "2026-11-28T09:00:00Z",
            ["closed_at"] = issue.State == "closed" ? "2026-11-29T09:00:00Z" : null,
            ["locked"] = false,
        };
    }

    /// A webhook receiver on loopback that keeps each request's signature header and raw body.
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Receiver(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public static async Task<Receiver> StartAsync(ConcurrentQueue<(string Signature, byte[] Body)> received)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapPost("/hook", async (HttpRequest request) =>
            {
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer);
                received.Enqueue((request.Headers[OutboxDelivery.SignatureHeader].ToString(), buffer.ToArray()));
                return Results.NoContent();
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Receiver(app, address.TrimEnd('/') + "/");
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
