using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class DateGrammarTests
{
    // text, expected date (null = none), estimate, month precision, a problem is reported
    [Theory]
    [InlineData("2024-06-13", "2024-06-13", false, false, false)]
    [InlineData("2026\u20110\u200B3\u201126", "2026-03-26", false, false, false)]
    [InlineData("2026\u201103\u201126", "2026-03-26", false, false, false)]
    [InlineData("June 6, 2025", "2025-06-06", false, false, false)]
    [InlineData("July 15th, 2025", "2025-07-15", false, false, false)]
    [InlineData("Nov 17, 2024", "2024-11-17", false, false, false)]
    [InlineData("Oct 1, 2026", "2026-10-01", false, false, false)]
    [InlineData("Sept. 3, 2025", "2025-09-03", false, false, false)]
    [InlineData("3 March 2025", "2025-03-03", false, false, false)]
    [InlineData("9/23/2024", "2024-09-23", false, false, false)]
    [InlineData("2024/11/30", "2024-11-30", false, false, false)]
    [InlineData("August 2026", "2026-08-01", true, true, false)]
    [InlineData("2026-02", "2026-02-01", true, true, false)]
    [InlineData("January  4,  2024", "2024-01-04", false, false, false)]
    [InlineData("  2024-01-04  ", "2024-01-04", false, false, false)]
    [InlineData("2026-09-31", null, false, false, true)]
    [InlineData("2525-01-01", null, false, false, true)]
    [InlineData("2025-13-01", null, false, false, true)]
    [InlineData("February 30, 2026", null, false, false, true)]
    [InlineData("N/A", null, false, false, false)]
    [InlineData("n/a", null, false, false, false)]
    [InlineData("NA", null, false, false, false)]
    [InlineData("---", null, false, false, false)]
    [InlineData("-", null, false, false, false)]
    [InlineData("", null, false, false, false)]
    [InlineData("   ", null, false, false, false)]
    [InlineData(null, null, false, false, false)]
    [InlineData("TBD", null, false, false, false)]
    [InlineData("No retirement date announced", null, false, false, false)]
    [InlineData("No shutdown date announced", null, false, false, false)]
    [InlineData("Not yet announced", null, false, false, false)]
    [InlineData("Until further notice", null, false, false, false)]
    [InlineData("—", null, false, false, false)]
    [InlineData("No earlier than April 11, 2026", "2026-04-11", true, false, false)]
    [InlineData("Not sooner than 2025-11-15", "2025-11-15", true, false, false)]
    [InlineData("No sooner than October 1, 2025", "2025-10-01", true, false, false)]
    [InlineData("2025-09-30 at earliest", "2025-09-30", true, false, false)]
    [InlineData("June 1, 2026 (at the earliest)", "2026-06-01", true, false, false)]
    [InlineData("2026-01-05 or later", "2026-01-05", true, false, false)]
    [InlineData("2025-06-19 (US regions)", "2025-06-19", false, false, false)]
    [InlineData("July 14, 2025 (Standard deployments)*", "2025-07-14", false, false, false)]
    [InlineData("2025-04-30*", "2025-04-30", false, false, false)]
    [InlineData("2025-03-31 (postponed from 2025-02-28)", "2025-03-31", false, false, false)]
    [InlineData("No Auto-upgrades July 14, 2025", "2025-07-14", false, false, false)]
    [InlineData("Soon", null, false, false, true)]
    public void ParsesEveryDateFormThePagesUse(string? text, string? expected, bool estimate, bool month, bool problem)
    {
        var parsed = DateGrammar.Parse(text);

        Assert.Equal(expected, parsed.Date?.ToString("yyyy-MM-dd"));
        Assert.Equal(expected is not null, parsed.HasValue);
        if (expected is not null)
        {
            Assert.Equal(estimate, parsed.IsEstimate);
            Assert.Equal(month ? DatePrecision.Month : DatePrecision.Day, parsed.Precision);
        }
        Assert.Equal(problem, parsed.Problem is not null);
    }

    [Fact]
    public void ImpossibleDateProblemQuotesTheDate()
    {
        var parsed = DateGrammar.Parse("2026-09-31");

        Assert.Equal("impossible date '2026-09-31'", parsed.Problem);
    }

    [Theory]
    [InlineData("Retires ２０２６-０６-３０")]                // fullwidth digits
    [InlineData("v1 retires ٢٠٢٦-٠٦-٣٠")]                    // Arabic-Indic digits, after an ASCII one
    [InlineData("v1: no earlier than June ３０, ２０２６")]
    public void DigitsOfOtherScriptsAreReadAsTheirValues(string text)
    {
        var parsed = DateGrammar.Parse(text);

        Assert.Equal((new DateOnly(2026, 6, 30), (string?)null), (parsed.Date, parsed.Problem));
        Assert.Equal([new DateOnly(2026, 6, 30)], DateGrammar.FindAll(text).Select(d => d.Date));
    }

    [Fact]
    public void FirstDateInACellWins()
    {
        var parsed = DateGrammar.Parse("2025-01-27 (was 2024-11-01)");

        Assert.Equal(new DateOnly(2025, 1, 27), parsed.Date);
    }

    [Fact]
    public void DatesInsideModelIdsAreNotDates()
    {
        var found = DateGrammar.FindAll("gpt-4o-2024-05-13 retires on 2025-10-15.");

        Assert.Equal([new DateOnly(2025, 10, 15)], found.Select(d => d.Date!.Value));
    }

    [Fact]
    public void FindAllKeepsEachDatesOwnEstimateFlag()
    {
        var found = DateGrammar.FindAll(
            "On June 3, 2025 we announced that claude-2.0 will be retired no earlier than January 5, 2026, and text-x in August 2026.");

        Assert.Equal(3, found.Count);
        Assert.Equal((new DateOnly(2025, 6, 3), false), (found[0].Date!.Value, found[0].IsEstimate));
        Assert.Equal((new DateOnly(2026, 1, 5), true), (found[1].Date!.Value, found[1].IsEstimate));
        Assert.Equal((new DateOnly(2026, 8, 1), true, DatePrecision.Month), (found[2].Date!.Value, found[2].IsEstimate, found[2].Precision));
    }

    [Fact]
    public void FindAllOnTextWithoutDatesIsEmpty()
    {
        Assert.Empty(DateGrammar.FindAll("We will announce a date later."));
    }
}
