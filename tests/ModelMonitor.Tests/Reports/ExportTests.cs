using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using AngleSharp.Dom;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Reports;

/// The JSON and Markdown exports, the Atom feeds and the report verb say what the page says.
public sealed class ExportTests(ReportsFixture fixture) : IClassFixture<ReportsFixture>
{
    private const string Path = "/api/teams/payments/apps/checkout/readiness";

    private static string Text(IElement? element) => string.Join(' ', (element?.TextContent ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private async Task<List<Dictionary<string, string>>> PageFactsAsync()
    {
        var page = await PageTests.PageAsync(fixture.Client(fixture.TeamToken), "/teams/payments/apps/checkout");
        return page.QuerySelectorAll("table.pins tr.pin")
            .Select(r => r.QuerySelectorAll("[data-fact]").ToDictionary(c => c.GetAttribute("data-fact")!, Text))
            .ToList();
    }

    [Fact]
    public async Task JsonExportHasThePagesFactsForEveryPin()
    {
        var facts = await PageFactsAsync();

        var response = await fixture.Client(fixture.TeamToken).GetAsync(Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var pins = json.RootElement.GetProperty("pins").EnumerateArray().ToList();
        Assert.Equal(facts.Count, pins.Count);
        for (var i = 0; i < pins.Count; i++)
        {
            var pin = pins[i];
            Assert.StartsWith(pin.GetProperty("model").GetString()!, facts[i]["model"]);
            Assert.Equal(facts[i]["status"], pin.GetProperty("status").GetString());
            Assert.Equal(facts[i]["verdict"], pin.GetProperty("verdict").GetString());
            Assert.Equal(facts[i]["successor"], pin.GetProperty("successor").GetString() ?? "—");
            Assert.StartsWith(pin.GetProperty("daysLeft").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), facts[i]["days-left"]);
            Assert.Contains(pin.GetProperty("retiresOn").GetString()!, facts[i]["retirement"]);
            Assert.Equal(facts[i]["retirement"].EndsWith("(estimate)", StringComparison.Ordinal) ? "estimate" : "firm", pin.GetProperty("retirement").GetString());
            Assert.StartsWith(pin.GetProperty("nextEmail").GetProperty("on").GetString()!, facts[i]["next-email"]);
        }
        var run = json.RootElement.GetProperty("regression").GetProperty("runs")[0];
        Assert.True(run.GetProperty("recorded").GetBoolean());
        Assert.Equal("not-ready", run.GetProperty("report").GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task MarkdownExportHasThePagesFactsForEveryPin()
    {
        var facts = await PageFactsAsync();

        var response = await fixture.Client(fixture.TeamToken).GetAsync(Path + "?format=md");

        Assert.Equal("text/markdown", response.Content.Headers.ContentType?.MediaType);
        var markdown = await response.Content.ReadAsStringAsync();
        var rows = markdown.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal) && l.Count(c => c == '|') > 8).ToList();
        Assert.Equal(facts.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var cells = rows[i].Trim('|').Split(" | ").Select(c => c.Trim()).ToList();
            Assert.Equal(facts[i]["status"], cells[2]);
            Assert.Equal(facts[i]["retirement"], cells[3]);
            Assert.Equal(facts[i]["days-left"], cells[4]);
            Assert.Equal($"**{facts[i]["verdict"]}**", cells[6]);
            Assert.Equal(facts[i]["next-email"], cells[7]);
        }
        Assert.Contains("RECORDED results, not a live run", markdown);
    }

    [Fact]
    public async Task MarkdownExportEscapesTeamSuppliedMarkup()
    {
        var markdown = await (await fixture.Client(fixture.TeamToken).GetAsync(Path + "?format=md")).Content.ReadAsStringAsync();

        Assert.Contains("Pays \\<script\\>alert('owned')\\</script\\> \\& \\<b\\>bold\\</b\\>", markdown);
        Assert.DoesNotContain("<script>", markdown);
    }

    [Fact]
    public async Task AnUnknownFormatIsABadRequestNamingTheChoices()
    {
        var response = await fixture.Client(fixture.TeamToken).GetAsync(Path + "?format=pdf");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("format must be 'json' (the default) or 'md', not 'pdf'", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnotherTeamsExportIsNotFound()
    {
        var response = await fixture.Client(fixture.OtherTeamToken).GetAsync(Path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no team 'payments'.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheExportNeedsAToken()
    {
        var response = await fixture.Client().GetAsync(Path);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    private static XNamespace Atom => "http://www.w3.org/2005/Atom";

    private async Task<XDocument> FeedAsync(string path, string token)
    {
        var response = await fixture.Client(token).GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheAtomFeedListsEveryChangeEventNewestFirst()
    {
        var feed = await FeedAsync("/feed.atom", MonitorApp.AdminToken);

        var titles = feed.Root!.Elements(Atom + "entry").Select(e => e.Element(Atom + "title")!.Value).ToList();
        Assert.Equal([
            "gpt-4o-2024-05-13 (openai): retirement moved earlier 2027-01-15 → 2026-12-15",
            "claude-sonnet-4-5 (anthropic): model added",
            "gpt-4-0613 (openai): deprecated",
        ], titles);
        Assert.EndsWith("/models/openai/gpt-4o-2024-05-13", feed.Root.Elements(Atom + "entry").First().Element(Atom + "link")!.Attribute("href")!.Value);
    }

    [Fact]
    public async Task ATeamsFeedHasOnlyTheEventsOfModelsItPins()
    {
        var feed = await FeedAsync("/teams/payments/feed.atom", fixture.TeamToken);

        var titles = feed.Root!.Elements(Atom + "entry").Select(e => e.Element(Atom + "title")!.Value).ToList();
        Assert.Equal(["gpt-4o-2024-05-13 (openai): retirement moved earlier 2027-01-15 → 2026-12-15"], titles);
    }

    [Fact]
    public async Task AnotherTeamsFeedIsNotFound()
    {
        var response = await fixture.Client(fixture.OtherTeamToken).GetAsync("/teams/payments/feed.atom");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TheReportVerbPrintsTheMarkdownReport()
    {
        var result = await MonitorProcess.RunAsync(["report", "--team", "payments", "--app", "checkout", "--format", "md"],
            new Dictionary<string, string?> { ["ConnectionStrings__Monitor"] = fixture.App.ConnectionString });

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.StartsWith("# Readiness: payments / checkout", result.Stdout);
        Assert.Contains("| `gpt-4o-2024-05-13` [production] | openai | deprecated | 2026-12-15 (firm) |", result.Stdout);
    }

    [Fact]
    public async Task TheReportVerbWritesTheHtmlPage()
    {
        var result = await MonitorProcess.RunAsync(["report", "--team", "payments", "--app", "checkout", "--format", "html"],
            new Dictionary<string, string?> { ["ConnectionStrings__Monitor"] = fixture.App.ConnectionString });

        Assert.True(result.ExitCode == 0, result.Stderr);
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(result.Stdout);
        Assert.Equal("payments / checkout", Text(page.QuerySelector("h1")));
        Assert.Equal(2, page.QuerySelectorAll("table.pins tr.pin").Length);
    }

    [Fact]
    public async Task TheReportVerbNamesAMissingApp()
    {
        var result = await MonitorProcess.RunAsync(["report", "--team", "payments", "--app", "nope", "--format", "json"],
            new Dictionary<string, string?> { ["ConnectionStrings__Monitor"] = fixture.App.ConnectionString });

        Assert.Equal(65, result.ExitCode);
        Assert.Contains("there is no app 'nope' of team 'payments'", result.Stderr);
    }
}
