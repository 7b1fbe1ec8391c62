using Microsoft.Extensions.Configuration;
using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class DeclarativeTableExtractorTests
{
    // Our own provider page: an active table and a retirement table under separate headings.
    private const string Markdown = """
        # Acme models

        ## Current models

        | Model | Released | Status |
        |---|---|---|
        | `acme-large-2025-03` | 2025-03-01 | Generally available |

        ## Deprecated models

        | Model | Announced | Shutdown | Use instead | State |
        |---|---|---|---|---|
        | `acme-small-2024-01`<br>`acme-small-latest` | 2025-01-15 | Shutdown on 2025-07-01 (all regions) | `acme-small-2025-02` | Deprecated |
        | `acme-medium-2024-02` | June 6, 2025 | No earlier than October 2026 | acme-large-2025-03 or acme-medium-2025-05* | deprecated |
        | **Preview models** | | | | |
        | `acme-vision-0.9` | N/A | 2026-09-31 | --- | Sunset-ish |
        """;

    private static DeclarativeTableOptions RetirementOptions(string? heading = "Deprecated models") => new()
    {
        Provider = "acme",
        Heading = heading,
        Columns = new Dictionary<string, DeclarativeColumn>
        {
            ["Model"] = new() { Header = "Model" },
            ["DeprecatedOn"] = new() { Header = "Announced" },
            ["RetiresOn"] = new() { Header = "Shutdown", Pattern = @"^(?:Shutdown on )?(.+?)(?: \(.*\))?$" },
            ["Replacement"] = new() { Header = "Use instead" },
            ["Status"] = new() { Header = "State" },
        },
    };

    private static IReadOnlyList<Observation> Retirements => new DeclarativeTableExtractor(RetirementOptions()).Extract(Markdown);

    private static Observation Model(IReadOnlyList<Observation> observations, string model) =>
        Assert.Single(observations, o => o.Model == model);

    [Fact]
    public void ProviderIsTheConfiguredName() => Assert.Equal("acme", new DeclarativeTableExtractor(RetirementOptions()).Provider);

    [Fact]
    public void HeadingChoosesTheTableAndEveryIdInTheModelCellIsAnObservation() =>
        Assert.Equal(["acme-small-2024-01", "acme-small-latest", "acme-medium-2024-02", "acme-vision-0.9"], Retirements.Select(o => o.Model));

    [Fact]
    public void PatternPicksTheDateOutOfTheCell()
    {
        var small = Model(Retirements, "acme-small-2024-01");
        Assert.Equal(new DateOnly(2025, 7, 1), small.RetiresOn);
        Assert.Equal(new DateOnly(2025, 1, 15), small.DeprecatedOn);
        Assert.Equal(["acme-small-2025-02"], small.Replacements);
        Assert.Equal(LifecycleStatus.Deprecated, small.Status);
        Assert.Equal(("acme", "acme", "Deprecated models"), (small.Provider, small.Platform, small.Section));
        Assert.Empty(small.Problems);
    }

    [Fact]
    public void EstimatesMonthDatesAndSeveralReplacementsAreRead()
    {
        var medium = Model(Retirements, "acme-medium-2024-02");
        Assert.Equal((new DateOnly(2026, 10, 1), true, DatePrecision.Month), (medium.RetiresOn, medium.RetiresOnIsEstimate, medium.RetiresOnPrecision));
        Assert.Equal(new DateOnly(2025, 6, 6), medium.DeprecatedOn);
        Assert.Equal(["acme-large-2025-03", "acme-medium-2025-05"], medium.Replacements);
    }

    [Fact]
    public void ImpossibleDatesAndUnknownStatusesAreProblems()
    {
        var vision = Model(Retirements, "acme-vision-0.9");
        Assert.Null(vision.RetiresOn);
        Assert.Null(vision.DeprecatedOn);
        Assert.Null(vision.Status);
        Assert.Empty(vision.Replacements);
        Assert.Equal(["impossible date '2026-09-31' in Shutdown", "unknown status 'Sunset-ish' in State"], vision.Problems);
    }

    [Fact]
    public void EvidenceIsTheRowsCells() =>
        Assert.Equal(
            "acme-medium-2024-02 | June 6, 2025 | No earlier than October 2026 | acme-large-2025-03 or acme-medium-2025-05* | deprecated",
            Model(Retirements, "acme-medium-2024-02").Evidence);

    [Fact]
    public void WithoutHeadingEveryTableWithTheModelColumnIsRead()
    {
        var options = new DeclarativeTableOptions
        {
            Provider = "acme",
            Platform = "acme-cloud",
            DefaultStatus = LifecycleStatus.Active,
            Columns = new Dictionary<string, DeclarativeColumn> { ["Model"] = new() { Header = "model" }, ["ReleasedOn"] = new() { Header = "Released" } },
        };
        var observations = new DeclarativeTableExtractor(options).Extract(Markdown);
        Assert.Equal(5, observations.Count);
        var large = observations[0];
        Assert.Equal(("acme-large-2025-03", new DateOnly(2025, 3, 1), LifecycleStatus.Active, "acme-cloud"), (large.Model, large.ReleasedOn, large.Status, large.Platform));
        // The second table has no "Released" column: that is said, not guessed.
        Assert.Equal(["no 'Released' column (ReleasedOn) in the table"], observations[1].Problems);
    }

    [Fact]
    public void ModelPatternTakesIdsOutOfProse()
    {
        const string page = """
            ## Retiring

            | Model name | Retirement |
            |---|---|
            | Acme Small (id: acme-small-1) | 2025-10-01 |
            """;
        var options = RetirementOptions("Retiring") with
        {
            Columns = new Dictionary<string, DeclarativeColumn>
            {
                ["Model"] = new() { Header = "Model", Pattern = @"id: ([\w.\-]+)" },
                ["RetiresOn"] = new() { Header = "Retirement" },
            },
        };
        var observation = Assert.Single(new DeclarativeTableExtractor(options).Extract(page));
        Assert.Equal(("acme-small-1", new DateOnly(2025, 10, 1)), (observation.Model, observation.RetiresOn));
    }

    [Fact]
    public void SelectorFindsTheTableOnAnHtmlPage()
    {
        const string html = """
            <html><body>
            <h2>Models</h2>
            <table id="current"><tr><th>Model</th><th>Retires</th></tr><tr><td><code>acme-a-1</code></td><td>2027-01-01</td></tr></table>
            <h2>Old models</h2>
            <div class="retired"><table><tr><th>Model</th><th>Retires</th></tr><tr><td><code>acme-b-0</code></td><td>9/23/2024</td></tr></table></div>
            </body></html>
            """;
        var options = new DeclarativeTableOptions
        {
            Provider = "acme",
            Selector = "div.retired",
            DefaultStatus = LifecycleStatus.Retired,
            Columns = new Dictionary<string, DeclarativeColumn> { ["Model"] = new() { Header = "Model" }, ["RetiresOn"] = new() { Header = "Retires" } },
        };
        var observation = Assert.Single(new DeclarativeTableExtractor(options).Extract(html));
        Assert.Equal(("acme-b-0", new DateOnly(2024, 9, 23), "Old models", LifecycleStatus.Retired), (observation.Model, observation.RetiresOn, observation.Section, observation.Status));
    }

    [Fact]
    public void SelectorOnAMarkdownPageIsAnError()
    {
        var options = RetirementOptions(null) with { Selector = "table" };
        var ex = Assert.Throws<ExtractionException>(() => new DeclarativeTableExtractor(options).Extract(Markdown));
        Assert.Equal("Selector 'table' needs an HTML page, and this page is Markdown: use Heading to find its table.", ex.Message);
    }

    [Fact]
    public void MissingTableIsAnErrorNamingWhereItLooked()
    {
        var ex = Assert.Throws<ExtractionException>(() => new DeclarativeTableExtractor(RetirementOptions("Legacy models")).Extract(Markdown));
        Assert.Equal("no table with a 'Model' column (the Model column) found under a heading containing 'Legacy models'", ex.Message);
    }

    [Theory]
    [InlineData("Retires", "unknown column name 'Retires'; known: Model, RetiresOn, DeprecatedOn, ReleasedOn, Replacement, Status.")]
    [InlineData("retireson", "unknown column name 'retireson'; did you mean 'RetiresOn'?")]
    public void UnknownColumnNameIsRejected(string column, string message)
    {
        var options = RetirementOptions() with
        {
            Columns = new Dictionary<string, DeclarativeColumn> { ["Model"] = new() { Header = "Model" }, [column] = new() { Header = "Shutdown" } },
        };
        Assert.Equal([$"acme: {message}"], options.Validate());
    }

    [Fact]
    public void InvalidPatternIsRejectedWithTheRegexError()
    {
        var options = RetirementOptions() with
        {
            Columns = new Dictionary<string, DeclarativeColumn> { ["Model"] = new() { Header = "Model", Pattern = "(unclosed" } },
        };
        var error = Assert.Single(options.Validate());
        Assert.StartsWith("acme: column 'Model' has an invalid Pattern '(unclosed': ", error, StringComparison.Ordinal);
        var ex = Assert.Throws<ArgumentException>(() => new DeclarativeTableExtractor(options));
        Assert.Contains("invalid Pattern '(unclosed'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MapWithoutModelColumnIsRejected()
    {
        var options = RetirementOptions() with
        {
            Columns = new Dictionary<string, DeclarativeColumn> { ["RetiresOn"] = new() { Header = "Shutdown" } },
        };
        Assert.Equal(["acme: the column map needs a Model column (the header of the cells holding model ids)."], options.Validate());
    }

    [Fact]
    public void OptionsProblemsAreAllReportedTogether()
    {
        var options = new DeclarativeTableOptions
        {
            Provider = "Acme Corp",
            Heading = "Models",
            Selector = "table[",
            Columns = new Dictionary<string, DeclarativeColumn> { ["Model"] = new() { Header = " " } },
        };
        var errors = options.Validate();
        Assert.Equal(4, errors.Count);
        Assert.Equal("Provider 'Acme Corp' must be lowercase letters, digits, '.', '_' or '-' (like 'openai' or 'aws-bedrock').", errors[0]);
        Assert.Equal("Acme Corp: give Heading or Selector, not both.", errors[1]);
        Assert.StartsWith("Acme Corp: Selector 'table[' is not valid CSS: ", errors[2], StringComparison.Ordinal);
        Assert.Equal("Acme Corp: column 'Model' needs a Header (the header phrase that finds it).", errors[3]);
    }

    [Fact]
    public void OptionsBindFromConfigurationSoASourceNeedsNoCode()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Table:Provider"] = "acme",
            ["Table:Heading"] = "Deprecated models",
            ["Table:DefaultStatus"] = "Deprecated",
            ["Table:Columns:Model:Header"] = "Model",
            ["Table:Columns:RetiresOn:Header"] = "Shutdown",
            ["Table:Columns:RetiresOn:Pattern"] = @"(\d{4}-\d{2}-\d{2})",
        }).Build();
        var options = configuration.GetSection("Table").Get<DeclarativeTableOptions>()!;
        Assert.Empty(options.Validate());
        var small = Model(new DeclarativeTableExtractor(options).Extract(Markdown), "acme-small-2024-01");
        Assert.Equal((new DateOnly(2025, 7, 1), LifecycleStatus.Deprecated), (small.RetiresOn, small.Status));
    }

    [Theory]
    [InlineData("Retired", LifecycleStatus.Retired)]
    [InlineData("End of life", LifecycleStatus.Retired)]
    [InlineData("EOL", LifecycleStatus.Retired)]
    [InlineData("Deprecated", LifecycleStatus.Deprecated)]
    [InlineData("Legacy", LifecycleStatus.Legacy)]
    [InlineData("Public preview", LifecycleStatus.Preview)]
    [InlineData("GA", LifecycleStatus.Active)]
    [InlineData("Active", LifecycleStatus.Active)]
    public void StatusWordsMapToLifecycleStates(string text, LifecycleStatus status) =>
        Assert.Equal(status, DeclarativeTableExtractor.StatusOf(text));

    [SavedPageFact]
    public void SavedBedrockActiveTableCanBeReadDeclaratively()
    {
        // The kind of source an operator would add: Bedrock's HTML table of active models, found by heading text.
        var options = new DeclarativeTableOptions
        {
            Provider = "aws-bedrock",
            Heading = "Active versions",
            DefaultStatus = LifecycleStatus.Active,
            Columns = new Dictionary<string, DeclarativeColumn>
            {
                ["Model"] = new() { Header = "Model ID" },
                ["ReleasedOn"] = new() { Header = "Launch date" },
            },
        };
        var observations = new DeclarativeTableExtractor(options).Extract(SavedPages.Read("aws-bedrock/model-lifecycle.2025-11.html"));

        var jamba = Model(observations, "ai21.jamba-1-5-large-v1:0");
        Assert.Equal((new DateOnly(2024, 9, 23), LifecycleStatus.Active, "aws-bedrock"), (jamba.ReleasedOn, jamba.Status, jamba.Platform));
        Assert.Null(jamba.RetiresOn);
        Assert.Equal(new DateOnly(2024, 12, 4), Model(observations, "amazon.nova-canvas-v1:0").ReleasedOn);
        Assert.DoesNotContain(observations, o => o.Model.Contains(' ', StringComparison.Ordinal));
    }
}
