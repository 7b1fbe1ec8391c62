using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ModelMonitor.Notifications;
using ModelMonitor.Tests.Fixtures;
using ModelMonitor.Tests.Notifications;

namespace ModelMonitor.Tests.Hardening;

/// A team chooses its webhook URL, so the server must not be made to POST into its own network.
public sealed class WebhookTargetTests
{
    private static readonly DateOnly Today = NotifyHarness.Today;

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook", "loopback, private or link-local")]
    [InlineData("http://localhost/hook", "loopback, private or link-local")]
    [InlineData("http://[::1]/hook", "loopback, private or link-local")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "loopback, private or link-local")]
    [InlineData("http://10.1.2.3/hook", "loopback, private or link-local")]
    [InlineData("http://192.168.0.10/hook", "loopback, private or link-local")]
    [InlineData("http://172.20.0.1/hook", "loopback, private or link-local")]
    [InlineData("http://[fd00::1]/hook", "loopback, private or link-local")]
    [InlineData("https://user:secret@hooks.example.com/hook", "must not carry credentials")]
    [InlineData("ftp://hooks.example.com/hook", "must be an absolute http(s) URL")]
    [InlineData("file:///etc/passwd", "must be an absolute http(s) URL")]
    [InlineData("javascript:alert(1)", "must be an absolute http(s) URL")]
    [InlineData("https://hooks.example.com/a\r\nX-Injected: 1", "must not contain line breaks")]
    public async Task AnInternalOrNonHttpOrCredentialedWebhookUrlIsRefusedAndNothingIsStored(string url, string reason)
    {
        await using var h = await NotifyHarness.StartAsync();
        var token = await h.CreateTeamAsync("payments");

        var response = await h.Client(token).PutAsJsonAsync("/api/teams/payments/webhook", new { url });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"url\"", body);
        Assert.Contains(reason, body);
        Assert.DoesNotContain("secret@", body.Replace("user:secret@hooks", "", StringComparison.Ordinal));
        Assert.Equal(0, await h.App.WithDbAsync(db => db.Set<TeamWebhook>().CountAsync()));
    }

    [Fact]
    public async Task WithAnAllowListOnlyListedHostsAreAccepted()
    {
        await using var h = await NotifyHarness.StartAsync(new Dictionary<string, string?> { ["Notifications:WebhookAllowedHosts:0"] = "*.hooks.example.com" });
        var token = await h.CreateTeamAsync("payments");

        var refused = await h.Client(token).PutAsJsonAsync("/api/teams/payments/webhook", new { url = "https://collector.example.net/hook" });
        var accepted = await h.Client(token).PutAsJsonAsync("/api/teams/payments/webhook", new { url = "https://team1.hooks.example.com/hook" });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("host 'collector.example.net' is not on this server's webhook allow list (*.hooks.example.com)", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("https://team1.hooks.example.com/hook", await h.App.WithDbAsync(db => db.Set<TeamWebhook>().Select(w => w.Url).SingleAsync()));
    }

    [Fact]
    public void AnAllowListEntryThatIsNoHostIsRejectedNamingIt()
    {
        var result = new NotificationOptionsValidator().Validate(null, new NotificationOptions { WebhookAllowedHosts = ["hooks.example.com", "http://hooks.example.com/"] });

        Assert.Equal(["Notifications:WebhookAllowedHosts:1 is not a host name, '*.domain' or an IP address: 'http://hooks.example.com/'."], result.Failures);
    }

    [Fact]
    public async Task AStoredWebhookThatIsNoLongerAllowedIsGivenUpWithoutARequest()
    {
        // Set before the restriction existed (or before the operator narrowed the list): delivery checks again.
        var requests = 0;
        await using var receiver = await PageServer.StartAsync();
        receiver.Handle("/hook", _ => { Interlocked.Increment(ref requests); return Task.CompletedTask; });
        await using var h = await NotifyHarness.StartAsync();
        await h.AddModelAsync("openai", "gpt-4-0613", Today.AddDays(7));
        await h.CreateTeamAsync("payments");
        await h.PutAppAsync("payments", "checkout", ["openai/gpt-4-0613"]);
        await h.App.WithDbAsync(async db =>
        {
            db.Add(new TeamWebhook { TeamId = await db.Teams.Select(t => t.Id).SingleAsync(), Url = receiver.Url("/hook"), CreatedAt = h.Clock.GetUtcNow() });
            return await db.SaveChangesAsync();
        });

        await h.PlanAsync();
        await h.DeliverAsync();

        var webhook = Assert.Single(await h.OutboxAsync(), o => o.Channel == Channels.Webhook);
        Assert.NotNull(webhook.FailedAt);
        Assert.StartsWith("webhook URL refused: host '127.0.0.1' is a loopback, private or link-local address", webhook.LastError);
        Assert.Equal(0, requests);
        Assert.Single(h.Smtp.Messages); // the email still goes
    }

    [Fact]
    public async Task ANameThatResolvesToAnInternalAddressIsNotConnectedTo()
    {
        // What a DNS answer changed after the URL was checked looks like: a name, resolving to loopback.
        await using var server = await PageServer.StartAsync();
        server.Serve("/hook", "ok", "text/plain");
        var targets = new WebhookTargets(Options.Create(new NotificationOptions()));
        using var client = new HttpClient(new SocketsHttpHandler { ConnectCallback = targets.ConnectAsync });

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://localhost:{server.BaseAddress.Port}/hook"));

        Assert.Contains("webhook host 'localhost' resolves only to loopback, private or link-local addresses", failure.Message);
        Assert.Equal(0, server.CountRequests("/hook"));
    }

    [Fact]
    public async Task AListedInternalHostIsConnectedTo()
    {
        await using var server = await PageServer.StartAsync();
        server.Serve("/hook", "ok", "text/plain");
        var targets = new WebhookTargets(Options.Create(new NotificationOptions { WebhookAllowedHosts = ["localhost"] }));
        using var client = new HttpClient(new SocketsHttpHandler { ConnectCallback = targets.ConnectAsync });

        var response = await client.GetAsync($"http://localhost:{server.BaseAddress.Port}/hook");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
