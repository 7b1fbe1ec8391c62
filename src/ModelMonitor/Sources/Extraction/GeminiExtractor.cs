using System.Buffers;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// The Gemini API deprecations page (ai.google.dev/gemini-api/docs/deprecations, HTML or its Markdown):
/// one section per model family, each a table of model, release date, shutdown date and recommended
/// replacement, with divider rows ("Preview models") inside; the page says its dates are the earliest possible.
public sealed class GeminiExtractor : IExtractor
{
    public string Provider => "google-gemini";

    private static readonly string[] ShutdownPhrases = ["shutdown", "shut down", "retire", "discontinu", "end of life", "sunset", "removal"];
    private static readonly string[] ReplacementPhrases = ["replacement", "successor", "upgrade", "migrate", "instead", "alternative"];
    private static readonly SearchValues<string> EarliestProse = SearchValues.Create(
        ["earliest possible", "at the earliest", "no earlier than", "not earlier than", "may be extended", "moved to an earlier", "moved earlier"],
        StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<Observation> Extract(string content) => LifecycleTables.Guard(Provider, () => Read(content));

    private List<Observation> Read(string content)
    {
        var document = PageDocument.Parse(content);
        var earliest = document.Blocks.OfType<PageText>()
            .Any(t => t.Text.AsSpan().ContainsAny(EarliestProse));
        var observations = new List<Observation>();
        var read = 0;
        foreach (var table in document.Tables)
        {
            var modelColumn = LifecycleTables.ModelColumn(table);
            var shutdownColumn = ShutdownColumn(table);
            if (modelColumn < 0 || shutdownColumn < 0)
                continue;
            read++;
            observations.AddRange(ReadTable(table, modelColumn, shutdownColumn, earliest));
        }
        if (read == 0)
            throw new ExtractionException(
                "no table with a model column and a 'Shutdown date' column found: this does not read as the Gemini API deprecations page");
        return observations;
    }

    // The page may call the shutdown the "deprecation date"; only when no shutdown column exists is it read so.
    private static int ShutdownColumn(PageTable table)
    {
        var column = LifecycleTables.Column(table, ShutdownPhrases, ["model"]);
        return column >= 0 ? column : LifecycleTables.Column(table, ["deprecation date", "deprecated on"], ["model"]);
    }

    private IEnumerable<Observation> ReadTable(PageTable table, int modelColumn, int shutdownColumn, bool earliest)
    {
        var releaseColumn = LifecycleTables.Column(table, ["release", "launch"]);
        var replacementColumn = LifecycleTables.Column(table, ReplacementPhrases);
        var deprecatedColumn = LifecycleTables.Column(table, ["deprecation announced", "announced", "deprecated on", "deprecation date"], ["model"]);
        if (deprecatedColumn == shutdownColumn)
            deprecatedColumn = -1;
        var headingStatus = StatusFromHeadings(table.Headings);
        LifecycleStatus? groupStatus = null;

        foreach (var row in table.Rows)
        {
            if (LifecycleTables.DividerText(row) is { } divider)
            {
                // "Preview models" / "Stable models": the rows below belong to that group.
                groupStatus = LifecycleTables.StatusFromText(divider) == LifecycleStatus.Preview ? LifecycleStatus.Preview : null;
                continue;
            }
            var models = ModelsOf(table.Header, row, modelColumn, shutdownColumn, replacementColumn, releaseColumn);
            if (models.Count == 0)
                continue;
            var problems = new List<string>();
            var retires = LifecycleTables.ReadDate(table, row, shutdownColumn, problems);
            var released = LifecycleTables.ReadDate(table, row, releaseColumn, problems);
            var deprecated = LifecycleTables.ReadDate(table, row, deprecatedColumn, problems);
            var status = headingStatus ?? groupStatus ?? LifecycleStatus.Deprecated;
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
                    DeprecatedOn = deprecated.Date,
                    RetiresOn = retires.Date,
                    RetiresOnIsEstimate = retires.HasValue && (retires.IsEstimate || (earliest && status != LifecycleStatus.Retired)),
                    RetiresOnPrecision = retires.Precision,
                    Replacements = LifecycleTables.Replacements(table, row, replacementColumn, model),
                    Section = table.Section,
                    Evidence = LifecycleTables.Evidence(row),
                    Problems = problems,
                };
            }
        }
    }

    // A model cell may hold a display name ("Gemini 2.0 Flash") with the ids in a notes column instead.
    private static readonly SearchValues<string> NotesHeaders = SearchValues.Create(
        ["id", "note", "comment", "detail", "include", "variant", "version"], StringComparison.OrdinalIgnoreCase);

    private static IReadOnlyList<(string Model, IReadOnlyList<string> Aliases)> ModelsOf(
        IReadOnlyList<PageCell> headers, IReadOnlyList<PageCell> row, int modelColumn, int shutdownColumn, int replacementColumn, int releaseColumn)
    {
        var models = LifecycleTables.ModelsWithAliases(PageTable.Cell(row, modelColumn));
        if (models.Count > 0)
            return models;
        for (var i = 0; i < row.Count; i++)
        {
            if (i == modelColumn || i == shutdownColumn || i == replacementColumn || i == releaseColumn)
                continue;
            // Ids in other columns count when marked as code, or in a column that is about ids or notes.
            var header = i < headers.Count ? headers[i].Text : "";
            if (row[i].Codes.Count == 0 && !header.AsSpan().ContainsAny(NotesHeaders))
                continue;
            var fromNotes = LifecycleTables.ModelsWithAliases(row[i]);
            if (fromNotes.Count > 0)
                return fromNotes;
        }
        return [];
    }

    // Only a heading that says models are gone overrides the page's deprecation status.
    private static LifecycleStatus? StatusFromHeadings(IReadOnlyList<string> headings)
    {
        for (var i = headings.Count - 1; i >= 0; i--)
        {
            if (LifecycleTables.StatusFromText(headings[i]) == LifecycleStatus.Retired)
                return LifecycleStatus.Retired;
        }
        return null;
    }
}
