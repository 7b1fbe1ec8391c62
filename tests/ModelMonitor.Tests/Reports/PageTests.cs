using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Reports;

/// Each page's content, asserted on the parsed DOM.
public sealed class PageTests(ReportsFixture fixture) : IClassFixture<ReportsFixture>
{
    public static async Task<IDocument> PageAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"GET {path}: {(int)response.StatusCode}\n{html}");
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.MediaType);
        return new HtmlParser().ParseDocument(html);
    }

    private static string Text(IElement? element) => string.Join(' ', (element?.TextContent ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private HttpClient Admin() => fixture.Client(MonitorApp.AdminToken);

    [Fact]
    public async Task DashboardTimelineHasOneMarkerPerUpcomingRetirementOfAPinnedVersion()
    {
        var page = await PageAsync(Admin(), "/");

        var timeline = page.QuerySelector("#timeline svg.timeline")!;
        Assert.NotNull(timeline);
        // gpt-4o-2024-05-13 retires 2026-12-15 (firm); claude-3-5-sonnet-20241022 not before 2027-02-01 (estimate).
        // gpt-4-0613 retired in 2025: it is at risk, but not upcoming.
        Assert.Single(timeline.QuerySelectorAll("circle.mark.retires"));
        Assert.Single(timeline.QuerySelectorAll("circle.mark.estimate"));
        var labels = timeline.QuerySelectorAll("text.label").Select(Text).ToList();
        Assert.Equal(["gpt-4o-2024-05-13 · 1 app", "claude-3-5-sonnet-20241022 · 1 app"], labels);
        Assert.Contains("2026-12-15", Text(timeline.QuerySelector("circle.mark.retires title")));
    }

    [Fact]
    public async Task DashboardListsAppsAtRiskMostUrgentFirstWithVerdictAndDaysLeft()
    {
        var page = await PageAsync(Admin(), "/");

        var rows = page.QuerySelectorAll("table.at-risk tbody tr").Select(r => r.QuerySelectorAll("td").Select(Text).ToList()).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal("other / secret", rows[0][0]);
        Assert.StartsWith("retired", rows[0][3]);
        Assert.Equal(["payments / checkout [production]", "gpt-4o-2024-05-13", "2026-12-15 (firm)", "17 days", "not-ready", "gpt-4o-2024-08-06"], rows[1]);
        Assert.Equal("65 days", rows[2][3]);
        Assert.Equal("3", Text(page.QuerySelector("[data-fact=at-risk]")));
        Assert.Equal("1", Text(page.QuerySelector("td[data-verdict=not-ready][data-band='≤ 30 days']")));
    }

    [Fact]
    public async Task ATeamsDashboardShowsOnlyItsOwnApps()
    {
        var page = await PageAsync(fixture.Client(fixture.TeamToken), "/");

        var apps = page.QuerySelectorAll("table.at-risk a.app").Select(Text).Distinct().ToList();
        Assert.Equal(["payments / checkout"], apps);
        Assert.Equal("3", Text(page.QuerySelector("[data-fact=pins]")));
        Assert.Equal("2", Text(page.QuerySelector("[data-fact=apps]")));
    }

    [Fact]
    public async Task ATeamsDashboardLinksToEachOfItsAppsReports()
    {
        var page = await PageAsync(fixture.Client(fixture.TeamToken), "/");

        var links = page.QuerySelectorAll("#apps ul.apps a").Select(a => (Text(a), a.GetAttribute("href"))).ToList();
        Assert.Equal([("checkout", "/teams/payments/apps/checkout"), ("search", "/teams/payments/apps/search")], links);
    }

    [Fact]
    public async Task DashboardShowsRecentChangeEventsNewestFirstAndUnhealthySources()
    {
        var page = await PageAsync(Admin(), "/");

        var changes = page.QuerySelectorAll("table.changes tbody tr").Select(r => Text(r.QuerySelectorAll("td")[2])).ToList();
        Assert.Equal(["retirement moved earlier 2027-01-15 → 2026-12-15", "model added", "deprecated"], changes);
        var unhealthy = page.QuerySelectorAll("#unhealthy table tbody tr").ToList();
        Assert.Single(unhealthy);
        Assert.Equal("litellm openai", Text(unhealthy[0].QuerySelector("td")));
        Assert.Equal("rows fell from 400 to 3 <em>suspicious</em>", Text(unhealthy[0].QuerySelector("td.error")));
    }

    private async Task<IElement> PinRowAsync(string model)
    {
        var page = await PageAsync(fixture.Client(fixture.TeamToken), "/teams/payments/apps/checkout");
        return page.QuerySelectorAll("table.pins tr.pin").Single(r => Text(r.QuerySelector("[data-fact=model] a")) == model);
    }

    private static string Fact(IElement row, string fact) => Text(row.QuerySelector($"[data-fact={fact}]"));

    [Fact]
    public async Task AppReportGivesAPinsStatusRetirementDaysLeftSuccessorAndVerdict()
    {
        var row = await PinRowAsync("gpt-4o-2024-05-13");

        Assert.Equal("openai", Fact(row, "platform"));
        Assert.Equal("deprecated", Fact(row, "status"));
        Assert.Equal("2026-12-15 (firm)", Fact(row, "retirement"));
        Assert.Equal("17 days", Fact(row, "days-left"));
        Assert.Equal("gpt-4o-2024-08-06", Fact(row, "successor"));
        Assert.Equal("not-ready", Fact(row, "verdict"));
    }

    [Fact]
    public async Task AppReportSaysWhenTheNextEmailIsDueAtTheNextMilestone()
    {
        var row = await PinRowAsync("gpt-4o-2024-05-13");

        // 17 days left: the 30-day milestone has been reached, the 14-day one is next (2026-12-15 − 14).
        Assert.Equal("2026-12-01 (14 days before retirement)", Fact(row, "next-email"));
    }

    [Fact]
    public async Task AWaivedPinsNextEmailComesAfterTheWaiverEnds()
    {
        var row = await PinRowAsync("claude-3-5-sonnet-20241022");

        Assert.Equal("not before 2027-02-01 (estimate)", Fact(row, "retirement"));
        // Waived until 2026-12-31; the first milestone after that is 30 days before 2027-02-01.
        Assert.Equal("2027-01-02 (30 days before retirement)", Fact(row, "next-email"));
    }

    [Fact]
    public async Task AppReportComparesContextWindowAndPricesOfPinnedAndSuccessor()
    {
        var page = await PageAsync(fixture.Client(fixture.TeamToken), "/teams/payments/apps/checkout");

        var rows = page.QuerySelectorAll("table.compare tbody tr").Select(r => r.QuerySelectorAll("td").Select(Text).ToList()).ToList();
        Assert.Contains(["gpt-4o-2024-05-13 pinned", "128,000", "$5.00", "$15.00"], rows);
        Assert.Contains(["gpt-4o-2024-08-06 successor", "128,000", "$2.50", "$10.00"], rows);
    }

    [Fact]
    public async Task AppReportShowsTheLastRunSideBySideAndLabelsRecordedResults()
    {
        var page = await PageAsync(fixture.Client(fixture.TeamToken), "/teams/payments/apps/checkout");

        var run = page.QuerySelector("#regression article.run")!;
        Assert.Equal("recorded", Text(run.QuerySelector("h3 .recorded")));
        var passRates = run.QuerySelectorAll("table.pass-rates tbody tr")[0];
        Assert.Equal("91.7% (11/12)", Text(passRates.QuerySelector("[data-side=baseline]")));
        Assert.Equal("75% (9/12)", Text(passRates.QuerySelector("[data-side=candidate]")));
        Assert.Equal("not-ready", Text(run.QuerySelector("p.verdict .badge")));
        Assert.StartsWith("Do not move to gpt-4o-2024-08-06 yet", Text(run.QuerySelector(".recommendation")));
        Assert.Contains("too few cases for significance", Text(run.QuerySelector("p.significance")));
        Assert.Equal(4, run.QuerySelectorAll("svg.latency rect.bar").Length);
        Assert.Equal(4, run.QuerySelectorAll("svg.cost rect.bar").Length);
    }

    [Fact]
    public async Task RegressedOutputsAreShownNextToEachOtherWithTheChangedWordsMarked()
    {
        var page = await PageAsync(fixture.Client(fixture.TeamToken), "/teams/payments/apps/checkout");

        var row = page.QuerySelectorAll("table.regressions tr.regression")[0];
        Assert.Equal(ReportsFixture.BaselineOutput, row.QuerySelector(".output.baseline")!.TextContent);
        Assert.Equal(ReportsFixture.CandidateOutput, row.QuerySelector(".output.candidate")!.TextContent);
        Assert.Equal(["approved ", "in 3 days."], row.QuerySelectorAll(".output.baseline del").Select(d => d.TextContent).ToList());
        Assert.Equal(["rejected ", "<script>alert(2)</script> never."], row.QuerySelectorAll(".output.candidate ins").Select(d => d.TextContent).ToList());
        Assert.Equal("contains: expected 'approved'", Text(row.QuerySelector("li")));
    }

    [Fact]
    public async Task TeamSuppliedMarkupIsShownAsTextNeverAsElements()
    {
        var page = await PageAsync(fixture.Client(fixture.TeamToken), "/teams/payments/apps/checkout");

        Assert.Equal(ReportsFixture.HostileDescription, page.QuerySelector(".description")!.TextContent);
        Assert.Contains(ReportsFixture.HostileWaiverReason, page.QuerySelector("table.waivers")!.TextContent);
        Assert.Empty(page.QuerySelectorAll("script"));
        Assert.Empty(page.QuerySelectorAll("main img, main b"));
    }

    [Fact]
    public async Task AnotherTeamsReportAnswersExactlyLikeAMissingApp()
    {
        var other = fixture.Client(fixture.OtherTeamToken);

        var theirs = await PageAsync(other, "/teams/payments/apps/checkout", HttpStatusCode.NotFound);
        var missing = await PageAsync(fixture.Client(fixture.TeamToken), "/teams/payments/apps/no-such-app", HttpStatusCode.NotFound);

        Assert.Equal("There is no app 'checkout' of team 'payments' that you can see.", Text(theirs.QuerySelector("main p.empty")));
        Assert.Equal("There is no app 'no-such-app' of team 'payments' that you can see.", Text(missing.QuerySelector("main p.empty")));
        Assert.DoesNotContain("gpt-4o", theirs.Body!.TextContent);
    }

    [Fact]
    public async Task TheAdminSeesEveryTeamsReport()
    {
        var page = await PageAsync(Admin(), "/teams/other/apps/secret");

        Assert.Equal("retired", Text(page.QuerySelector("tr.pin [data-fact=status]")));
    }

    [Fact]
    public async Task ModelPageShowsEveryObservationWithSourceDateAndEvidence()
    {
        var page = await PageAsync(Admin(), "/models/openai/gpt-4o-2024-05-13");

        var rows = page.QuerySelectorAll("table.observations tbody tr").Select(r => r.QuerySelectorAll("td").Select(Text).ToList()).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal("openai", rows[0][1]);
        Assert.Equal("2026-12-15 (firm)", rows[0][4]);
        Assert.Contains("will shut down on 2026-12-15", rows[0][6]);
        Assert.Equal("litellm", rows[1][1]);
        Assert.Equal("2027-01-15 (firm)", rows[1][4]);
    }

    [Fact]
    public async Task ModelPageShowsTheConflictBetweenSources()
    {
        var page = await PageAsync(Admin(), "/models/openai/gpt-4o-2024-05-13");

        var conflict = page.QuerySelector("#conflicts .conflict")!;
        Assert.Equal("retirement date", Text(conflict.QuerySelector("h3")));
        var says = conflict.QuerySelectorAll("tbody tr").Select(r => (Text(r.QuerySelectorAll("td")[0]), Text(r.QuerySelectorAll("td")[1]))).ToList();
        Assert.Equal([("openai ProviderPage", "2026-12-15"), ("litellm Registry", "2027-01-15")], says);
    }

    [Fact]
    public async Task ModelPageShowsAliasHistorySuccessorsAndALifecycleTimeline()
    {
        var page = await PageAsync(Admin(), "/models/openai/gpt-4o-2024-05-13");

        var alias = page.QuerySelectorAll("table.aliases tbody tr").Single().QuerySelectorAll("td").Select(Text).ToList();
        Assert.Equal(["gpt-4o", "gpt-4o-2024-05-13", "2023-06-15 00:00 UTC", "2024-10-02 00:00 UTC", "—"], alias);
        Assert.Equal("gpt-4o-2024-08-06", Text(page.QuerySelector("#successors a.successor")));
        var timeline = page.QuerySelector("#lifecycle svg.timeline")!;
        Assert.Single(timeline.QuerySelectorAll("circle.mark.released"));
        Assert.Single(timeline.QuerySelectorAll("rect.mark.deprecated"));
        Assert.Single(timeline.QuerySelectorAll("circle.mark.retires"));
    }

    [Fact]
    public async Task AnUnknownModelIsNotFound()
    {
        var page = await PageAsync(Admin(), "/models/openai/gpt-nonexistent", HttpStatusCode.NotFound);

        Assert.Equal("The catalog has no model 'gpt-nonexistent' for provider 'openai'.", Text(page.QuerySelector("main p.empty")));
    }

    [Fact]
    public async Task SourcesPageShowsHealthLastFetchRowsErrorAndTheEventsEachProduced()
    {
        var page = await PageAsync(Admin(), "/sources");

        var openai = page.QuerySelector("#source-openai")!.QuerySelectorAll("td").ToList();
        Assert.Equal("healthy", Text(openai[1]));
        Assert.Equal("2026-11-28 07:00 UTC", Text(openai[2]));
        Assert.Equal("42", Text(openai[4]));
        Assert.StartsWith("2", Text(openai[6]));
        Assert.Equal(2, openai[6].QuerySelectorAll("ul.events li").Length);
        var litellm = page.QuerySelector("#source-litellm")!.QuerySelectorAll("td").ToList();
        Assert.StartsWith("unhealthy", Text(litellm[1]));
        Assert.Equal("rows fell from 400 to 3 <em>suspicious</em>", Text(litellm[5]));
    }

    [Fact]
    public async Task PagesCarryTheSecurityHeaders()
    {
        var response = await Admin().GetAsync("/teams/payments/apps/checkout");

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task PagesHaveNoInlineScriptsOrStyles()
    {
        foreach (var path in new[] { "/", "/teams/payments/apps/checkout", "/models/openai/gpt-4o-2024-05-13", "/sources", "/login" })
        {
            var page = await PageAsync(Admin(), path);
            Assert.Empty(page.QuerySelectorAll("script, style, [style]"));
            Assert.DoesNotContain(page.All, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal)));
        }
    }
}
