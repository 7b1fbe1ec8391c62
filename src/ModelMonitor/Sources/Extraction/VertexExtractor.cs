using System.Buffers;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// Google Cloud's "Model versions and lifecycle" page (Vertex AI, later "Gemini Enterprise Agent Platform"):
/// tables of model id, release date, retirement date and recommended upgrade, grouped under headings that
/// name the lifecycle stage (latest stable / available, legacy stable, retired), plus an auto-updated alias table.
public sealed class VertexExtractor : IExtractor
{
    public string Provider => "google-vertex";

    private static readonly string[] RetirementPhrases = ["retire", "shutdown", "shut down", "discontinu", "end of life", "deprecation date"];
    private static readonly string[] ReplacementPhrases = ["upgrade", "replacement", "successor", "migrate", "instead"];

    // Page prose saying the listed dates are a lower bound (they can be extended, never brought forward):
    // every date it covers is the earliest possible.
    // Searched for all at once: a page's prose is most of its text.
    private static readonly SearchValues<string> EarliestProse = SearchValues.Create(
        ["may be extended", "earliest possible", "moved to an earlier", "moved earlier", "at the earliest"],
        StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<Observation> Extract(string content) => LifecycleTables.Guard(Provider, () => Read(content));

    private List<Observation> Read(string content)
    {
        var document = PageDocument.Parse(content);
        var aliases = AliasMap(document);
        // The prose that says dates are the earliest possible, found once for all tables.
        var earliestProse = new List<PageText>();
        foreach (var block in document.Blocks)
        {
            if (block is PageText text && text.Text.AsSpan().ContainsAny(EarliestProse))
                earliestProse.Add(text);
        }
        var observations = new List<Observation>();
        var read = 0;
        foreach (var table in document.Tables)
        {
            var modelColumn = LifecycleTables.ModelColumn(table);
            var retirementColumn = LifecycleTables.Column(table, RetirementPhrases, ["model"]);
            if (modelColumn < 0 || retirementColumn < 0)
                continue;
            read++;
            observations.AddRange(ReadTable(earliestProse, table, modelColumn, retirementColumn, aliases));
        }
        if (read == 0)
            throw new ExtractionException(
                "no table with a model column and a 'Retirement date' column found: this does not read as Google Cloud's model versions page");
        return observations;
    }

    private IEnumerable<Observation> ReadTable(
        List<PageText> earliestProse, PageTable table, int modelColumn, int retirementColumn, Dictionary<string, List<string>> aliases)
    {
        var releaseColumn = LifecycleTables.Column(table, ["release", "launch"]);
        var replacementColumn = LifecycleTables.Column(table, ReplacementPhrases, ["model id"]);
        var deprecatedColumn = LifecycleTables.Column(table, ["deprecated on", "deprecation announced"]);
        var sectionStatus = StatusFromHeadings(table.Headings);
        var earliest = DatesAreEarliest(earliestProse, table);

        foreach (var row in table.Rows)
        {
            if (LifecycleTables.DividerText(row) is { } divider)
            {
                sectionStatus = LifecycleTables.StatusFromText(divider) ?? sectionStatus;
                continue;
            }
            var models = LifecycleTables.ModelsWithAliases(PageTable.Cell(row, modelColumn));
            if (models.Count == 0)
                continue;
            var problems = new List<string>();
            var retires = LifecycleTables.ReadDate(table, row, retirementColumn, problems);
            var released = LifecycleTables.ReadDate(table, row, releaseColumn, problems);
            var deprecated = LifecycleTables.ReadDate(table, row, deprecatedColumn, problems);
            foreach (var (model, cellAliases) in models)
            {
                var mapped = aliases.GetValueOrDefault(model);
                IReadOnlyList<string> modelAliases = cellAliases.Count == 0 && mapped is null
                    ? []
                    : cellAliases.Concat(mapped ?? []).Distinct(StringComparer.Ordinal).ToList();
                yield return new Observation
                {
                    Provider = Provider,
                    Platform = Provider,
                    Model = model,
                    Aliases = modelAliases,
                    Status = sectionStatus,
                    ReleasedOn = released.Date,
                    DeprecatedOn = deprecated.Date,
                    RetiresOn = retires.Date,
                    // A lower-bound note does not make a past retirement uncertain.
                    RetiresOnIsEstimate = retires.HasValue && (retires.IsEstimate || (earliest && sectionStatus != LifecycleStatus.Retired)),
                    RetiresOnPrecision = retires.Precision,
                    Replacements = LifecycleTables.Replacements(table, row, replacementColumn, model),
                    Section = table.Section,
                    Evidence = LifecycleTables.Evidence(row),
                    Problems = problems,
                };
            }
        }
    }

    // The innermost heading that names a stage wins: "Retired models" > "Latest available models".
    private static LifecycleStatus? StatusFromHeadings(IReadOnlyList<string> headings)
    {
        for (var i = headings.Count - 1; i >= 0; i--)
        {
            if (LifecycleTables.StatusFromText(headings[i]) is { } status)
                return status;
        }
        return null;
    }

    private static bool DatesAreEarliest(List<PageText> earliestProse, PageTable table)
    {
        // Prose under the same top-level section as the table (or before any section) counts.
        var scope = table.Headings.Count > 0 ? table.Headings[0] : null;
        return earliestProse.Exists(t => t.Headings.Count == 0 || scope is null || t.Headings[0] == scope);
    }

    // "Auto-updated alias | Stable version reference": alias → the versioned model it points to.
    private static Dictionary<string, List<string>> AliasMap(PageDocument document)
    {
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in document.Tables)
        {
            var aliasColumn = LifecycleTables.Column(table, ["alias"]);
            var targetColumn = LifecycleTables.Column(table, ["version", "points to", "reference", "stable"], ["alias"]);
            if (aliasColumn < 0 || targetColumn < 0)
                continue;
            foreach (var row in table.Rows)
            {
                var targets = ModelIds.FromCell(PageTable.Cell(row, targetColumn));
                foreach (var alias in ModelIds.FromCell(PageTable.Cell(row, aliasColumn)))
                {
                    foreach (var target in targets.Where(t => t != alias))
                    {
                        if (!map.TryGetValue(target, out var list))
                            map[target] = list = [];
                        if (!list.Contains(alias))
                            list.Add(alias);
                    }
                }
            }
        }
        return map;
    }
}
