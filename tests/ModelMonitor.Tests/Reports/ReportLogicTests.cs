using ModelMonitor.Catalog;
using ModelMonitor.Notifications;
using ModelMonitor.Pins;
using ModelMonitor.Reports;
using ModelMonitor.Sources;

namespace ModelMonitor.Tests.Reports;

/// The pure parts: word diff, next email, conflicts, Markdown escaping, timeline geometry.
public sealed class ReportLogicTests
{
    private static string Show(IReadOnlyList<DiffPiece> pieces) =>
        string.Concat(pieces.Select(p => p.Op switch { DiffOp.Removed => $"[-{p.Text}]", DiffOp.Added => $"[+{p.Text}]", _ => p.Text }));

    [Fact]
    public void AChangedWordIsMarkedRemovedAndAdded() =>
        Assert.Equal("the [+new ][-old ]answer", Show(WordDiff.Diff("the old answer", "the new answer")));

    [Fact]
    public void EqualOutputsHaveNoMarks() =>
        Assert.Equal([new DiffPiece(DiffOp.Same, "same words here")], WordDiff.Diff("same words here", "same words here"));

    [Fact]
    public void AMissingOutputIsAllAdded() =>
        Assert.Equal([new DiffPiece(DiffOp.Added, "only the candidate")], WordDiff.Diff(null, "only the candidate"));

    [Fact]
    public void VeryLongOutputsAreComparedWholeInsteadOfWordByWord()
    {
        var a = string.Join(' ', Enumerable.Range(0, 5000).Select(i => $"a{i}"));
        var b = string.Join(' ', Enumerable.Range(0, 5000).Select(i => $"b{i}"));

        var pieces = WordDiff.Diff(a, b);

        Assert.Equal([DiffOp.Removed, DiffOp.Added], pieces.Select(p => p.Op));
    }

    private static PinResolution Retiring(DateOnly on) =>
        new(PinStatus.Deprecated, null, on, RetirementKind.Firm, 0, null, [], []);

    private static readonly DateOnly Today = new(2026, 11, 28);

    [Theory]
    [InlineData(17, "unknown", "2026-12-01", "14 days before retirement")]
    [InlineData(17, "ready", "2026-12-08", "7 days before retirement")]
    [InlineData(200, "unknown", "2027-03-18", "90 days before retirement")]
    [InlineData(0, "unknown", "2026-11-29", "daily while a retired version is pinned")]
    [InlineData(-10, "not-ready", "2026-11-29", "daily while a retired version is pinned")]
    public void TheNextEmailIsTheNextMilestoneOfThePinsLadder(int daysLeft, string verdict, string on, string why)
    {
        var next = ReadinessReports.NextEmail(Retiring(Today.AddDays(daysLeft)), verdict, null, Today, new NotificationOptions());

        Assert.Equal(new PlannedEmail(DateOnly.Parse(on, System.Globalization.CultureInfo.InvariantCulture), why), next);
    }

    [Fact]
    public void NoEmailIsPlannedWithoutARetirementDate() =>
        Assert.Null(ReadinessReports.NextEmail(new PinResolution(PinStatus.Active, null, null, null, null, null, [], []), "unknown", null, Today, new NotificationOptions()));

    [Fact]
    public void SourcesThatStateDifferentDatesConflictAndSilentOnesDoNot()
    {
        SourceStatement Say(string source, DateOnly? retires) => new()
        {
            SourceName = source, Provider = "openai", Model = "gpt-4o-2024-05-13", RetiresOn = retires, Url = "https://example.org/" + source,
            Authority = source == "openai" ? SourceAuthority.ProviderPage : SourceAuthority.Registry,
        };

        var conflicts = CatalogPages.Conflicts([Say("openai", new DateOnly(2026, 12, 15)), Say("litellm", new DateOnly(2027, 1, 15)), Say("other", null)]);

        var conflict = Assert.Single(conflicts);
        Assert.Equal("retirement date", conflict.Field);
        Assert.Equal(["openai", "litellm"], conflict.Statements.Select(s => s.Source));
    }

    [Fact]
    public void MarkdownEscapingMakesMarkupLinksAndTableBreaksInert() =>
        Assert.Equal("a \\<b\\> \\[x\\](y) \\| \\*z\\* line", ReadinessMarkdown.Escape("a <b> [x](y) | *z*\nline"));

    [Fact]
    public void TimelinePlacesDatesProportionallyAndClampsOutsideOnes()
    {
        var layout = new TimelineLayout([], Today, Today.AddDays(100), Today);

        var plot = TimelineLayout.Width - TimelineLayout.LabelWidth - 16;
        Assert.Equal(TimelineLayout.LabelWidth, layout.X(Today));
        Assert.Equal(TimelineLayout.LabelWidth + plot / 2.0, layout.X(Today.AddDays(50)), 1);
        Assert.Equal(layout.X(Today.AddDays(100)), layout.X(Today.AddDays(400)));
    }
}
