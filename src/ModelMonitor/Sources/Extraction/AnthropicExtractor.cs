using System.Buffers;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// Anthropic's model deprecations page: a "Model status" table (model, state, deprecation and retirement
/// dates; columns renamed over time) and dated announcement tables (retirement date, deprecated model,
/// recommended replacement).
public sealed class AnthropicExtractor : IExtractor
{
    public string Provider => "anthropic";

    private static readonly string[] RetirementPhrases = ["retire", "shutdown", "shut down", "sunset", "end of life", "discontinu"];
    private static readonly string[] StatePhrases = ["state", "status", "lifecycle"];
    private static readonly string[] ReplacementPhrases = ["replacement", "successor", "migrate", "upgrade", "instead"];
    // Header words that say the column's dates are not firm.
    private static readonly string[] EstimateHeaderWords = ["tentative", "earliest", "estimated", "expected", "planned"];
    // Section prose that says an announcement's models are already gone ("... were retired on <date>").
    private static readonly SearchValues<string> RetiredProse = SearchValues.Create(
        ["were retired", "have been retired", "are retired", "has been retired", "was retired"], StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<Observation> Extract(string content) => LifecycleTables.Guard(Provider, () => Read(content));

    private List<Observation> Read(string content)
    {
        var document = PageDocument.Parse(content);
        var observations = new List<Observation>();
        var read = 0;
        foreach (var table in document.Tables)
        {
            var modelColumn = LifecycleTables.ModelColumn(table);
            if (modelColumn < 0)
                continue;
            var stateColumn = LifecycleTables.Column(table, StatePhrases, ["model"]);
            var retirementColumn = LifecycleTables.Column(table, RetirementPhrases, ["model"]);
            if (stateColumn >= 0)
                observations.AddRange(ReadStatusTable(table, modelColumn, stateColumn, retirementColumn));
            else if (retirementColumn >= 0)
                observations.AddRange(ReadAnnouncementTable(document, table, modelColumn, retirementColumn));
            else
                continue;
            read++;
        }
        if (read == 0)
            throw new ExtractionException(
                "no 'Model status' table (model and state columns) and no table with a 'Retirement date' column found: this does not read as Anthropic's model deprecations page");
        return observations;
    }

    private IEnumerable<Observation> ReadStatusTable(PageTable table, int modelColumn, int stateColumn, int retirementColumn)
    {
        var deprecatedColumn = LifecycleTables.Column(table, ["deprecat"], ["model"]);
        var releaseColumn = LifecycleTables.Column(table, ["release", "launch"]);
        var replacementColumn = LifecycleTables.Column(table, ReplacementPhrases);
        var announced = LifecycleTables.AnnouncementDate(table.Headings);
        var tentative = EstimateHeaderWords.Any(w =>
            LifecycleTables.HeaderText(table, retirementColumn).Contains(w, StringComparison.OrdinalIgnoreCase));

        foreach (var row in table.Rows)
        {
            var models = LifecycleTables.ModelsWithAliases(PageTable.Cell(row, modelColumn));
            if (models.Count == 0 || LifecycleTables.DividerText(row) is not null)
                continue;
            var problems = new List<string>();
            var stateText = PageTable.Cell(row, stateColumn).Text;
            var status = LifecycleTables.StatusFromText(stateText);
            if (status is null && stateText.Length > 0)
                problems.Add($"unknown state '{stateText}' in {LifecycleTables.HeaderText(table, stateColumn)}");
            var retires = LifecycleTables.ReadDate(table, row, retirementColumn, problems);
            var deprecated = LifecycleTables.ReadDate(table, row, deprecatedColumn, problems);
            var released = LifecycleTables.ReadDate(table, row, releaseColumn, problems);
            foreach (var (model, aliases) in models)
            {
                yield return new Observation
                {
                    Provider = Provider,
                    Platform = Provider,
                    Model = model,
                    Aliases = aliases,
                    Status = status,
                    ReleasedOn = released.Date,
                    DeprecatedOn = deprecated.Date ?? (status == LifecycleStatus.Deprecated ? announced : null),
                    RetiresOn = retires.Date,
                    // A "tentative" column qualifies the dates of models still active; a deprecated model's
                    // retirement date is the one its announcement fixed.
                    RetiresOnIsEstimate = retires.HasValue && (retires.IsEstimate
                        || (tentative && status is not (LifecycleStatus.Deprecated or LifecycleStatus.Retired))),
                    RetiresOnPrecision = retires.Precision,
                    Replacements = LifecycleTables.Replacements(table, row, replacementColumn, model),
                    Section = table.Section,
                    Evidence = LifecycleTables.Evidence(row),
                    Problems = problems,
                };
            }
        }
    }

    private IEnumerable<Observation> ReadAnnouncementTable(PageDocument document, PageTable table, int modelColumn, int retirementColumn)
    {
        var replacementColumn = LifecycleTables.Column(table, ReplacementPhrases);
        var deprecatedColumn = LifecycleTables.Column(table, ["deprecation date", "deprecated on", "announced"]);
        var announced = LifecycleTables.AnnouncementDate(table.Headings);
        var status = SectionSaysRetired(document, table) ? LifecycleStatus.Retired : LifecycleStatus.Deprecated;

        foreach (var row in table.Rows)
        {
            var models = LifecycleTables.ModelsWithAliases(PageTable.Cell(row, modelColumn));
            if (models.Count == 0 || LifecycleTables.DividerText(row) is not null)
                continue;
            var problems = new List<string>();
            var retires = LifecycleTables.ReadDate(table, row, retirementColumn, problems);
            var deprecated = LifecycleTables.ReadDate(table, row, deprecatedColumn, problems);
            foreach (var (model, aliases) in models)
            {
                yield return new Observation
                {
                    Provider = Provider,
                    Platform = Provider,
                    Model = model,
                    Aliases = aliases,
                    Status = status,
                    DeprecatedOn = deprecated.Date ?? announced,
                    RetiresOn = retires.Date,
                    RetiresOnIsEstimate = retires.HasValue && retires.IsEstimate,
                    RetiresOnPrecision = retires.Precision,
                    Replacements = LifecycleTables.Replacements(table, row, replacementColumn, model),
                    Section = table.Section,
                    Evidence = LifecycleTables.Evidence(row),
                    Problems = problems,
                };
            }
        }
    }

    // The prose between the table's heading and the table itself.
    private static bool SectionSaysRetired(PageDocument document, PageTable table)
    {
        var index = IndexOf(document.Blocks, table);
        for (var i = index - 1; i >= 0; i--)
        {
            switch (document.Blocks[i])
            {
                case PageHeading:
                case PageTable:
                    return false;
                case PageText text when text.Text.AsSpan().ContainsAny(RetiredProse):
                    return true;
            }
        }
        return false;
    }

    private static int IndexOf(IReadOnlyList<PageBlock> blocks, PageBlock block)
    {
        for (var i = 0; i < blocks.Count; i++)
        {
            if (ReferenceEquals(blocks[i], block))
                return i;
        }
        return -1;
    }
}
