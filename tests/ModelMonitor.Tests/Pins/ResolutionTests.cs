using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ModelMonitor.Catalog;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Pins;

public sealed class ResolutionTests(PinsFixture fixture) : IClassFixture<PinsFixture>
{
    private async Task<JsonElement> ResolveAsync(object pin)
    {
        var (team, token) = await fixture.CreateTeamAsync();
        var response = await fixture.Client(token).PutAsJsonAsync($"/api/teams/{team}/apps/app", new { pins = new[] { pin } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("pins")[0].GetProperty("resolution");
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task AnExactIdResolvesToItsLifecycle()
    {
        var r = await ResolveAsync(new { provider = "openai", model = "gpt-4o-2024-05-13" });

        Assert.Equal("deprecated", r.GetProperty("status").GetString());
        Assert.Equal("2026-12-15", r.GetProperty("retiresOn").GetString());
        Assert.Equal("firm", r.GetProperty("retirement").GetString());
        Assert.Equal(17, r.GetProperty("daysLeft").GetInt32());
        Assert.Equal("gpt-4o-2024-08-06", r.GetProperty("successor").GetString());
        Assert.Empty(Strings(r.GetProperty("warnings")));
    }

    [Fact]
    public async Task AnEstimatedDateIsMarkedAsAnEstimate()
    {
        var r = await ResolveAsync(new { provider = "anthropic", model = "claude-3-5-sonnet-20241022" });

        Assert.Equal("estimate", r.GetProperty("retirement").GetString());
        Assert.Equal(65, r.GetProperty("daysLeft").GetInt32());
        Assert.Equal("claude-sonnet-4-5", r.GetProperty("successor").GetString());
    }

    [Fact]
    public async Task AFirmDateInThePastMeansRetiredEvenIfTheStatusLags()
    {
        var r = await ResolveAsync(new { provider = "openai", model = "gpt-4-0613" });

        Assert.Equal("retired", r.GetProperty("status").GetString());
        Assert.True(r.GetProperty("daysLeft").GetInt32() < 0);
        Assert.Contains("'gpt-4-0613' is retired since 2025-06-06", Strings(r.GetProperty("warnings"))[0]);
    }

    [Theory]
    [InlineData("openai", "gpt-4o", "gpt-4o-2024-08-06", "active")]
    [InlineData("anthropic", "claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022", "deprecated")]
    public async Task AnAliasIsAcceptedAndResolvedToTodaysTarget(string provider, string alias, string target, string status)
    {
        var r = await ResolveAsync(new { provider, model = alias });

        Assert.Equal(target, r.GetProperty("resolvedModel").GetString());
        Assert.Equal(status, r.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnAliasRepointAfterRegistrationIsShownOnThePinAndInItsImpact()
    {
        var (team, token) = await fixture.CreateTeamAsync();
        var client = fixture.Client(token);
        await fixture.App.WithDbAsync(async db =>
        {
            db.ModelVersions.Add(PinsFixture.Version("google-gemini", "gemini-2.5-flash-preview-05-20", LifecycleStatus.Deprecated, new DateOnly(2026, 12, 2)));
            db.ModelVersions.Add(PinsFixture.Version("google-gemini", "gemini-2.5-flash-001", LifecycleStatus.Active));
            db.ModelAliases.Add(new ModelAlias { Provider = "google-gemini", Alias = "gemini-2.5-flash", Target = "gemini-2.5-flash-preview-05-20", ValidFrom = PinsFixture.LongAgo });
            return await db.SaveChangesAsync();
        });
        await client.PutAsJsonAsync($"/api/teams/{team}/apps/app", new { pins = new[] { new { provider = "google-gemini", model = "gemini-2.5-flash" } } });
        var stored = await fixture.App.WithDbAsync(db => db.Pins.AsNoTracking().SingleAsync(p => p.Model == "gemini-2.5-flash"));

        // The catalog re-points the alias (as reconciling would: close the old row, open a new one).
        var repointedAt = new DateTimeOffset(2026, 11, 27, 6, 0, 0, TimeSpan.Zero);
        await fixture.App.WithDbAsync(async db =>
        {
            var current = await db.ModelAliases.SingleAsync(a => a.Alias == "gemini-2.5-flash" && a.ValidTo == null);
            current.ValidTo = repointedAt;
            db.ModelAliases.Add(new ModelAlias { Provider = "google-gemini", Alias = "gemini-2.5-flash", Target = "gemini-2.5-flash-001", ValidFrom = repointedAt });
            return await db.SaveChangesAsync();
        });
        var app = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps/app");
        var impact = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps/app/impact");

        Assert.Equal("gemini-2.5-flash-preview-05-20", stored.ResolvedModel);
        Assert.Equal(fixture.App.Clock.GetUtcNow(), stored.ResolvedAt);
        var resolution = app.GetProperty("pins")[0].GetProperty("resolution");
        Assert.Equal("gemini-2.5-flash-001", resolution.GetProperty("resolvedModel").GetString());
        Assert.Contains("now points to 'gemini-2.5-flash-001'; it pointed to 'gemini-2.5-flash-preview-05-20'", Strings(resolution.GetProperty("warnings"))[0]);
        var repoint = impact.GetProperty("pins")[0].GetProperty("events")[0];
        Assert.Equal("alias-repointed", repoint.GetProperty("kind").GetString());
        Assert.Equal("gemini-2.5-flash-preview-05-20", repoint.GetProperty("oldValue").GetString());
        Assert.Equal("gemini-2.5-flash-001", repoint.GetProperty("newValue").GetString());
    }

    [Fact]
    public async Task AnAzureModelResolvesByNameAndVersion()
    {
        var r = await ResolveAsync(new { provider = "azure-openai", model = "gpt-4o", version = "2024-05-13", region = "swedencentral" });

        Assert.Equal("deprecated", r.GetProperty("status").GetString());
        Assert.Equal("2027-03-31", r.GetProperty("retiresOn").GetString());
        Assert.Equal("gpt-4.1", r.GetProperty("successor").GetString());
    }

    [Fact]
    public async Task AnAzureModelWithoutAVersionIsAcceptedWithTheKnownVersions()
    {
        var r = await ResolveAsync(new { provider = "azure-openai", model = "gpt-4o" });

        Assert.Equal("unknown", r.GetProperty("status").GetString());
        Assert.Equal("azure-openai lists 'gpt-4o' by version; set version to one of: 2024-11-20, 2024-08-06, 2024-05-13.", Strings(r.GetProperty("warnings"))[0]);
        Assert.Equal(["2024-11-20", "2024-08-06", "2024-05-13"], r.GetProperty("suggestions").EnumerateArray().Select(s => s.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task AnAzureIdWrittenTheOpenAiWayIsSuggestedAsNameAndVersion()
    {
        var r = await ResolveAsync(new { provider = "azure-openai", model = "gpt-4o-2024-11-20" });

        var first = r.GetProperty("suggestions")[0];
        Assert.Equal("gpt-4o", first.GetProperty("model").GetString());
        Assert.Equal("2024-11-20", first.GetProperty("version").GetString());
    }

    [Fact]
    public async Task AnUnknownIdIsAcceptedWithAWarningAndTheClosestIds()
    {
        var r = await ResolveAsync(new { provider = "openai", model = "gpt-4o-2024-08-07" });

        Assert.Equal("unknown", r.GetProperty("status").GetString());
        var suggestions = r.GetProperty("suggestions").EnumerateArray().Select(s => s.GetProperty("model").GetString()).ToList();
        Assert.Equal("gpt-4o-2024-08-06", suggestions[0]);
        Assert.InRange(suggestions.Count, 1, 3);
        Assert.StartsWith("'gpt-4o-2024-08-07' is not in the catalog for openai; did you mean 'gpt-4o-2024-08-06'", Strings(r.GetProperty("warnings"))[0]);
    }

    [Fact]
    public async Task AnUnknownIdWithNothingCloseIsAcceptedWithoutSuggestions()
    {
        var r = await ResolveAsync(new { provider = "openai", model = "whisper-9" });

        Assert.Equal("unknown", r.GetProperty("status").GetString());
        Assert.Empty(r.GetProperty("suggestions").EnumerateArray());
        Assert.Contains("accepted, and it will resolve once a source lists it", Strings(r.GetProperty("warnings"))[0]);
    }

    [Fact]
    public async Task AnUnknownProviderIsAcceptedWithTheClosestKnownOne()
    {
        var r = await ResolveAsync(new { provider = "opeanai", model = "gpt-4o-2024-08-06" });

        Assert.Equal("unknown", r.GetProperty("status").GetString());
        Assert.Contains("did you mean 'openai'?", Strings(r.GetProperty("warnings"))[0]);
    }

    [Fact]
    public async Task APlatformPinUsesThePlatformsLifecycle()
    {
        var r = await ResolveAsync(new { provider = "anthropic", model = "anthropic.claude-3-5-sonnet-20241022-v2:0", platform = "aws-bedrock", region = "us-east-1" });

        Assert.Equal("2027-01-15", r.GetProperty("retiresOn").GetString());
        Assert.Equal("firm", r.GetProperty("retirement").GetString());
    }

    [Fact]
    public async Task APlatformPinTheCatalogLacksFallsBackToTheProviderWithAWarning()
    {
        var r = await ResolveAsync(new { provider = "anthropic", model = "claude-3-5-sonnet-20241022", platform = "google-vertex" });

        Assert.Equal("2027-02-01", r.GetProperty("retiresOn").GetString());
        Assert.Contains("is not in the catalog for google-vertex; this is anthropic's lifecycle", Strings(r.GetProperty("warnings"))[0]);
    }

    [Fact]
    public async Task TheSameModelOnTwoPlatformsIsTwoPins()
    {
        var (team, token) = await fixture.CreateTeamAsync();

        var response = await fixture.Client(token).PutAsJsonAsync($"/api/teams/{team}/apps/app", new
        {
            pins = new object[]
            {
                new { provider = "anthropic", model = "claude-3-5-sonnet-20241022" },
                new { provider = "anthropic", model = "claude-3-5-sonnet-20241022", platform = "google-vertex" },
            },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task ImpactListsEachPinsLifecycleAndTheChangeEventsOfItsModel()
    {
        var (team, token) = await fixture.CreateTeamAsync();
        var client = fixture.Client(token);
        await fixture.App.WithDbAsync(async db =>
        {
            db.ChangeEvents.AddRange(
                new ChangeEvent { Provider = "openai", Model = "gpt-4o-2024-05-13", Kind = ChangeKind.Deprecated, OccurredAt = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), SourceName = "openai-deprecations" },
                new ChangeEvent { Provider = "openai", Model = "gpt-4o-2024-05-13", Kind = ChangeKind.RetirementMovedEarlier, OldValue = "2027-03-01", NewValue = "2026-12-15", OccurredAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero) },
                new ChangeEvent { Provider = "openai", Model = "gpt-4o-2024-05-13", Kind = ChangeKind.ModelAdded, OccurredAt = PinsFixture.LongAgo },
                new ChangeEvent { Provider = "openai", Model = "gpt-4-0613", Kind = ChangeKind.Retired, OccurredAt = new DateTimeOffset(2025, 6, 6, 0, 0, 0, TimeSpan.Zero) });
            return await db.SaveChangesAsync();
        });
        await client.PutAsJsonAsync($"/api/teams/{team}/apps/app", new { pins = new[] { new { provider = "openai", model = "gpt-4o-2024-05-13" } } });

        var impact = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps/app/impact");

        Assert.Equal("2026-11-28", impact.GetProperty("asOf").GetString());
        var pin = Assert.Single(impact.GetProperty("pins").EnumerateArray());
        Assert.Equal(17, pin.GetProperty("pin").GetProperty("resolution").GetProperty("daysLeft").GetInt32());
        Assert.Equal(["retirement-moved-earlier", "deprecated"], pin.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task DaysLeftFollowTheClock()
    {
        await using var own = await MonitorApp.StartAsync(new Dictionary<string, string?> { ["Auth:AdminToken"] = PinsFixture.AdminToken });
        await PinsFixture.SeedCatalogAsync(own);
        var client = own.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", PinsFixture.AdminToken);
        await client.PostAsJsonAsync("/api/teams", new { name = "clock", emails = new[] { "clock@corp.example" } });
        await client.PutAsJsonAsync("/api/teams/clock/apps/app", new { pins = new[] { new { provider = "openai", model = "gpt-4o-2024-05-13" } } });

        own.Clock.Advance(TimeSpan.FromDays(10));
        var app = await client.GetFromJsonAsync<JsonElement>("/api/teams/clock/apps/app");

        Assert.Equal(7, app.GetProperty("pins")[0].GetProperty("resolution").GetProperty("daysLeft").GetInt32());
    }
}
