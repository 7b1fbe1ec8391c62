using System.Text;
using System.Text.RegularExpressions;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

// Reads Mistral's models overview: the lifecycle tables ("Legacy models"; any table labelled deprecated or
// retired, or with a deprecation / retirement date column). The premier and open model tables are not
// lifecycle facts and are not read.
//
// Decisions, for the page's meaning:
// - A table's label is the nearest heading or short label before it; older pages label the table with a
//   bold list item ("- **Legacy models**") rather than a heading, and that label is the Section.
// - The model id is the API name column (`open-mistral-7b`, "API Endpoints"); a row without one
//   (Mathstral) is identified by a lowercase slug of its display name, with a problem saying so.
// - The page's "`alias`: currently points to `id`" list resolves aliases: a row naming an alias is
//   reported as the id it points to, the alias in Aliases (the contract's rule for aliases).
// - DeprecatedOn is the "Deprecation (on) date" column; the Legacy date (when customers are told) stays in
//   the evidence. Replacements are ids, aliases such as `mistral-small-latest` included.
// - An id whose date suffix contradicts the row's name (`mistral-small-2409` for "Mistral Small 25.01") is
//   reported as the page gives it, with a problem.
public sealed partial class MistralExtractor : IExtractor
{
    public string Provider => "mistral";

    public IReadOnlyList<Observation> Extract(string content)
    {
        try
        {
            return Read(ReadDocument(content));
        }
        catch (Exception ex) when (ex is not ExtractionException)
        {
            // The contract: odd input is an extraction error, never another exception.
            throw new ExtractionException($"the Mistral models page could not be read: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static IReadOnlyList<Observation> Read(PageDocument document)
    {
        var aliases = AliasTargets(document);
        var observations = new List<Observation>();
        var lifecycleTables = 0;
        string? label = null;

        foreach (var block in document.Blocks)
        {
            switch (block)
            {
                case PageHeading heading:
                    label = heading.Text;
                    break;
                case PageText text when IsLabel(text):
                    label = text.Text.Trim().Trim('*', ':').Trim();
                    break;
                case PageTable table:
                    var columns = Columns.Find(table.Header);
                    var status = StatusWord(label);
                    if (columns is not null && (status is not null and not LifecycleStatus.Active || columns.HasLifecycleDate))
                    {
                        lifecycleTables++;
                        var section = label ?? table.Section;
                        foreach (var row in table.Rows)
                            ReadRow(table, columns, row, status, section, aliases, observations);
                    }
                    break;
            }
        }

        if (lifecycleTables == 0)
            throw new ExtractionException(
                "no 'Legacy models' table (or a model table with a 'Deprecation date' or 'Retirement date' column) found on the Mistral page");
        return observations;
    }

    private static PageDocument ReadDocument(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
            throw new ExtractionException("the Mistral models page is empty");
        return PageDocument.Parse(content);
    }

    // A short line on its own, such as a bold list item, that names the table below it.
    private static bool IsLabel(PageText text)
    {
        var trimmed = text.Text.Trim();
        return trimmed.Length is > 0 and <= 60 && !trimmed.Contains('\n', StringComparison.Ordinal)
            && !trimmed.EndsWith('.') && !trimmed.EndsWith(':') && text.Codes.Count == 0;
    }

    private static void ReadRow(
        PageTable table, Columns columns, IReadOnlyList<PageCell> row, LifecycleStatus? labelStatus,
        string? section, Dictionary<string, string> aliasTargets, List<Observation> observations)
    {
        if (row.All(c => string.IsNullOrWhiteSpace(c.Text)))
            return;
        var problems = new List<string>();
        var display = Collapse(PageTable.Cell(row, columns.Name).Text);
        var ids = columns.Id >= 0 ? ModelIds.FromCell(PageTable.Cell(row, columns.Id)).ToList() : [];
        if (ids.Count == 0 && columns.Id < 0 && columns.Name >= 0)
            ids = ModelIds.FromCell(PageTable.Cell(row, columns.Name)).ToList();
        if (ids.Count == 0)
        {
            if (!LooksLikeName(display))
                return;
            var slug = Slug(display);
            if (slug.Length == 0)
                return;
            problems.Add($"no model id on the page for '{display}'; identified by its display name as '{slug}'");
            ids = [slug];
        }

        var deprecated = CellDates.Read(PageTable.Cell(row, columns.Deprecation), Header(table, columns.Deprecation), problems);
        var retires = CellDates.Read(PageTable.Cell(row, columns.Retirement), Header(table, columns.Retirement), problems);
        var released = CellDates.Read(PageTable.Cell(row, columns.Release), Header(table, columns.Release), problems);
        var replacements = columns.Replacement >= 0
            ? ModelIds.FromCell(PageTable.Cell(row, columns.Replacement)).Where(IsIdLike).ToList()
            : [];
        var status = columns.Status >= 0 && StatusWord(PageTable.Cell(row, columns.Status).Text) is { } stated
            ? stated
            : labelStatus ?? LifecycleStatus.Deprecated;
        var evidence = Evidence(row);

        foreach (var id in ids)
        {
            var rowProblems = new List<string>(problems);
            if (DateSuffixDisagrees(id, display) is { } disagreement)
                rowProblems.Add(disagreement);
            var model = aliasTargets.TryGetValue(id, out var target) ? target : id;
            observations.Add(new Observation
            {
                Provider = "mistral",
                Platform = "mistral",
                Model = model,
                Aliases = AliasesOf(model, aliasTargets),
                Status = status,
                ReleasedOn = released.Date,
                DeprecatedOn = deprecated.Date,
                RetiresOn = retires.Date,
                RetiresOnIsEstimate = retires.HasValue && retires.IsEstimate,
                RetiresOnPrecision = retires.HasValue ? retires.Precision : DatePrecision.Day,
                Replacements = replacements,
                Section = section,
                Evidence = evidence,
                Problems = rowProblems,
            });
        }
    }

    // The aliases that point to a model, in ordinal order.
    private static List<string> AliasesOf(string model, Dictionary<string, string> aliasTargets)
    {
        var aliases = new List<string>();
        foreach (var (alias, target) in aliasTargets)
        {
            if (target == model)
                aliases.Add(alias);
        }
        // The keys are distinct: the order is the one a stable sort would give.
        aliases.Sort(StringComparer.Ordinal);
        return aliases;
    }

    // "`mistral-small-latest`: currently points to `mistral-small-2409`." → alias → id.
    private static Dictionary<string, string> AliasTargets(PageDocument document)
    {
        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var text in document.Blocks.OfType<PageText>())
        {
            if (text.Codes.Count < 2 || !text.Text.Contains("points to", StringComparison.OrdinalIgnoreCase))
                continue;
            var alias = ModelIds.Clean(text.Codes[0]);
            var target = ModelIds.Clean(text.Codes[1]);
            if (IsIdLike(alias) && IsIdLike(target) && alias != target)
                targets.TryAdd(alias, target);
        }
        return targets;
    }

    // Mistral ids end in YYMM (`mistral-large-2407`) and names in YY.MM ("Mistral Large 24.07").
    private static string? DateSuffixDisagrees(string id, string display)
    {
        var idDate = IdDateSuffix().Match(id);
        var nameDate = NameVersion().Match(display);
        if (!idDate.Success || !nameDate.Success)
            return null;
        var fromName = nameDate.Groups["yy"].Value + nameDate.Groups["mm"].Value;
        return fromName == idDate.Groups["yymm"].Value
            ? null
            : $"model id '{id}' does not match the version in its name '{display}'";
    }

    private static LifecycleStatus? StatusWord(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        // The words are read in place, not gathered into a set of strings.
        bool retired = false, deprecated = false, legacy = false, active = false;
        var lower = text.ToLowerInvariant();
        foreach (var word in WordPattern().EnumerateMatches(lower))
        {
            switch (lower.AsSpan(word.Index, word.Length))
            {
                case "retired": retired = true; break;
                case "deprecated" or "deprecation": deprecated = true; break;
                case "legacy": legacy = true; break;
                case "active" or "available": active = true; break;
            }
        }
        if (retired)
            return LifecycleStatus.Retired;
        if (deprecated)
            return LifecycleStatus.Deprecated;
        if (legacy)
            return LifecycleStatus.Legacy;
        if (active)
            return LifecycleStatus.Active;
        return null;
    }

    private static string Header(PageTable table, int index) => Collapse(PageTable.Cell(table.Header, index).Text);

    private static string Evidence(IReadOnlyList<PageCell> row)
    {
        var text = string.Join(" | ", row.Select(c => Collapse(c.Text)));
        return text.Length <= 500 ? text : text[..500];
    }

    private static bool IsIdLike(string text) =>
        IdShape().IsMatch(text) && ModelIds.HasLetter(text) && !DateGrammar.IsPlaceholder(text);

    // Cell and header texts are collapsed already: they are not scanned with the pattern again.
    private static string Collapse(string text) => LifecycleTables.Collapse(text);


    // A display name is a few words ("Mistral Large 24.02"), not a sentence.
    private static bool LooksLikeName(string text) =>
        text.Length <= 60 && LifecycleTables.WordCount(text) <= 6
        && !text.Contains(". ", StringComparison.Ordinal) && !text.EndsWith('.') && !text.Contains(':', StringComparison.Ordinal);

    private static string Slug(string display)
    {
        var text = display.Replace("+", " plus ", StringComparison.Ordinal).ToLowerInvariant();
        var builder = new StringBuilder();
        foreach (var c in text)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '.' ? c : '-');
        return DashRun().Replace(builder.ToString(), "-").Trim('-', '.');
    }

    [GeneratedRegex(@"[a-z]+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"-{2,}")]
    private static partial Regex DashRun();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:@\-]*$")]
    private static partial Regex IdShape();

    [GeneratedRegex(@"-(?<yymm>[2-9]\d[01]\d)$")]
    private static partial Regex IdDateSuffix();

    [GeneratedRegex(@"\b(?<yy>[2-9]\d)\.(?<mm>[01]\d)\b")]
    private static partial Regex NameVersion();

    private sealed record Columns(int Name, int Id, int Status, int Release, int Deprecation, int Retirement, int Replacement)
    {
        public bool HasLifecycleDate => Deprecation >= 0 || Retirement >= 0;

        public static Columns? Find(IReadOnlyList<PageCell> header)
        {
            var texts = header.Select(h => Collapse(h.Text).ToLowerInvariant()).ToList();
            var name = Index(texts, t => t is "model" or "models" or "name" or "model name");
            var id = Index(texts, t => t.Contains("api endpoint", StringComparison.Ordinal) || t.Contains("api name", StringComparison.Ordinal)
                || t.Contains("model id", StringComparison.Ordinal) || t == "endpoint" || t == "id");
            if (name < 0 && id < 0)
                return null;
            return new Columns(
                name,
                id,
                Index(texts, t => t.Contains("status", StringComparison.Ordinal)),
                Index(texts, t => t.Contains("release", StringComparison.Ordinal) && t.Contains("date", StringComparison.Ordinal)),
                Index(texts, t => t.Contains("deprecat", StringComparison.Ordinal)),
                Index(texts, t => t.Contains("retire", StringComparison.Ordinal) || t.Contains("shutdown", StringComparison.Ordinal)),
                Index(texts, t => t.Contains("alternative", StringComparison.Ordinal) || t.Contains("replace", StringComparison.Ordinal)
                    || t.Contains("successor", StringComparison.Ordinal)));
        }

        private static int Index(List<string> texts, Func<string, bool> match)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                if (match(texts[i]))
                    return i;
            }
            return -1;
        }
    }
}
