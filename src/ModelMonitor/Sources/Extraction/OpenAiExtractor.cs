using System.Buffers;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// OpenAI's deprecations page: dated announcement headings ("2024-06-06: ..."), each with tables of
/// shutdown date, model (or system/endpoint) and recommended replacement.
public sealed class OpenAiExtractor : IExtractor
{
    public string Provider => "openai";

    private static readonly string[] ShutdownPhrases = ["shutdown", "shut down", "sunset", "retire", "removal", "end of life", "discontinu"];
    private static readonly string[] ReplacementPhrases = ["replacement", "successor", "migrate", "instead", "alternative"];

    // Text before the first id in a model cell that shows the row retires a feature of the model
    // ("New fine-tuning training on babbage-002"), not the model itself.
    private static readonly SearchValues<string> FeatureWords = SearchValues.Create(
        ["fine-tun", "training", "endpoint", "api", "access to", "support for"], StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<Observation> Extract(string content) => LifecycleTables.Guard(Provider, () => Read(content));

    private List<Observation> Read(string content)
    {
        var document = PageDocument.Parse(content);
        var tables = document.Tables
            .Where(t => LifecycleTables.ModelColumn(t) >= 0 && LifecycleTables.Column(t, ShutdownPhrases, ["model"]) >= 0)
            .ToList();
        if (tables.Count == 0)
            throw new ExtractionException(
                "no table with a 'Shutdown date' column and a model column found: this does not read as OpenAI's deprecations page");

        var observations = new List<Observation>();
        foreach (var table in tables)
            observations.AddRange(ReadTable(table));
        return observations;
    }

    private IEnumerable<Observation> ReadTable(PageTable table)
    {
        var modelColumn = LifecycleTables.ModelColumn(table);
        var shutdownColumn = LifecycleTables.Column(table, ShutdownPhrases, ["model"]);
        var replacementColumn = LifecycleTables.Column(table, ReplacementPhrases);
        var deprecatedColumn = LifecycleTables.Column(table, ["deprecation date", "deprecated on", "announced"]);
        var releaseColumn = LifecycleTables.Column(table, ["release"]);
        // "Legacy model" tables list models that are legacy (no firm shutdown), the rest are deprecations.
        var status = LifecycleTables.HeaderText(table, modelColumn).Contains("legacy", StringComparison.OrdinalIgnoreCase)
            ? LifecycleStatus.Legacy
            : LifecycleStatus.Deprecated;
        var announced = LifecycleTables.AnnouncementDate(table.Headings);

        foreach (var row in table.Rows)
        {
            if (LifecycleTables.DividerText(row) is not null)
                continue;
            var modelCell = PageTable.Cell(row, modelColumn);
            var models = LifecycleTables.ModelsWithAliases(modelCell);
            if (models.Count == 0 || NamesAFeature(modelCell, models[0].Model))
                continue;

            var problems = new List<string>();
            var retires = LifecycleTables.ReadDate(table, row, shutdownColumn, problems);
            var deprecated = deprecatedColumn >= 0 ? LifecycleTables.ReadDate(table, row, deprecatedColumn, problems).Date : null;
            var released = releaseColumn >= 0 ? LifecycleTables.ReadDate(table, row, releaseColumn, problems).Date : null;
            foreach (var (model, aliases) in models)
            {
                yield return new Observation
                {
                    Provider = Provider,
                    Platform = Provider,
                    Model = model,
                    Aliases = aliases,
                    Status = status,
                    ReleasedOn = released,
                    DeprecatedOn = deprecated ?? announced,
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

    private static bool NamesAFeature(PageCell cell, string firstModel)
    {
        var at = cell.Text.IndexOf(firstModel, StringComparison.Ordinal);
        if (at <= 0)
            return false;
        var lead = cell.Text[..at];
        return lead.AsSpan().ContainsAny(FeatureWords);
    }
}
