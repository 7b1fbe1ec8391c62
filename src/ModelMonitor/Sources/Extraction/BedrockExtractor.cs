using System.Text;
using System.Text.RegularExpressions;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

// Reads Amazon Bedrock's model lifecycle page: the Active, Legacy and End-of-Life tables.
//
// Decisions, for the page's meaning:
// - A table is read when it has a model id or model name/version column. Status comes from a status
//   column when there is one, else from the innermost heading: Active, Legacy, End-of-Life → Retired.
// - The Active table has more data cells than header cells: an unlabelled EOL column. It is found by
//   content (the extra column of dates, the one saying "No sooner than"), and the cells after it shift.
// - Legacy and EOL rows name models by display name. The model id is the row's own id when it has one;
//   else the id the page gives that display name in another table (the Active table); else a lowercase
//   slug of the display name, with a problem saying the page gives no id.
// - DeprecatedOn is a deprecation-date column, else the Legacy date (when Bedrock deprecates a model).
//   The public extended access date has no field; it stays in the evidence.
// - Regional qualifiers ("(only in us-west-2)") stay in the evidence; rows repeated per region are kept.
// - ReleasedOn is the earliest of the per-Region launch dates.
public sealed partial class BedrockExtractor : IExtractor
{
    public string Provider => "aws-bedrock";

    public IReadOnlyList<Observation> Extract(string content)
    {
        try
        {
            return Read(ReadDocument(content));
        }
        catch (Exception ex) when (ex is not ExtractionException)
        {
            // The contract: odd input is an extraction error, never another exception.
            throw new ExtractionException($"the Bedrock lifecycle page could not be read: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static IReadOnlyList<Observation> Read(PageDocument document)
    {
        var tables = document.Tables
            .Select(t => (Table: t, Columns: Columns.Find(t)))
            .Where(t => t.Columns is not null)
            .ToList();
        if (tables.Count == 0)
            throw new ExtractionException("no table with a 'Model ID' or 'Model version' column found on the Bedrock lifecycle page");
        if (!tables.Any(t => t.Columns!.HasLifecycleDate))
            throw new ExtractionException("no Bedrock model table with an 'EOL date' or 'Legacy date' column found");

        var idsByName = IdsByDisplayName(tables.Select(t => (t.Table, t.Columns!)));
        var observations = new List<Observation>();
        foreach (var (table, columns) in tables)
        {
            foreach (var row in table.Rows)
            {
                if (row.All(c => string.IsNullOrWhiteSpace(c.Text)))
                    continue;
                observations.AddRange(ReadRow(table, columns!, row, idsByName));
            }
        }
        return observations;
    }

    private static PageDocument ReadDocument(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
            throw new ExtractionException("the Bedrock lifecycle page is empty");
        return PageDocument.Parse(content);
    }

    private static IEnumerable<Observation> ReadRow(
        PageTable table, Columns columns, IReadOnlyList<PageCell> row, Dictionary<string, string> idsByName)
    {
        var cells = columns.Align(row);
        var problems = new List<string>();
        var ids = BedrockIds(Cell(cells, columns.Id), requireDigit: false);
        if (ids.Count == 0)
        {
            var display = Collapse(Cell(cells, columns.Name).Text);
            if (display.Length == 0 || IsPlaceholder(display) || !LooksLikeName(display))
                return [];
            if (idsByName.TryGetValue(NameKey(display), out var known))
            {
                ids = [known];
            }
            else
            {
                var slug = Slug(display);
                if (slug.Length == 0)
                    return [];
                problems.Add($"no model id on the page for '{display}'; identified by its display name as '{slug}'");
                ids = [slug];
            }
        }

        var released = EarliestDate(Cell(cells, columns.Launch), columns.Label(columns.Launch), problems);
        var deprecated = CellDates.Read(Cell(cells, columns.Deprecation), columns.Label(columns.Deprecation), problems);
        var retires = CellDates.Read(Cell(cells, columns.Eol), columns.Label(columns.Eol), problems);
        var replacements = columns.ReplacementId >= 0
            ? BedrockIds(Cell(cells, columns.ReplacementId), requireDigit: false)
            : BedrockIds(Cell(cells, columns.Replacement), requireDigit: true);
        var status = StatusOf(table, columns, cells);
        var evidence = Evidence(row);

        return ids.Select(id => new Observation
        {
            Provider = "aws-bedrock",
            Platform = "aws-bedrock",
            Model = id,
            Status = status,
            ReleasedOn = released,
            DeprecatedOn = deprecated.Date,
            RetiresOn = retires.Date,
            RetiresOnIsEstimate = retires.HasValue && retires.IsEstimate,
            RetiresOnPrecision = retires.HasValue ? retires.Precision : DatePrecision.Day,
            Replacements = replacements.Where(r => r != id).ToList(),
            Section = SectionOf(table),
            Evidence = evidence,
            Problems = problems,
        }).ToList();
    }

    // Display name → id, from every table that gives both (the Active table): lets a Legacy row named
    // "Claude 3.7 Sonnet" carry the id the same page gives that name.
    private static Dictionary<string, string> IdsByDisplayName(IEnumerable<(PageTable Table, Columns Columns)> tables)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (table, columns) in tables)
        {
            if (columns.Id < 0 || columns.Name < 0)
                continue;
            foreach (var row in table.Rows)
            {
                var cells = columns.Align(row);
                var ids = BedrockIds(Cell(cells, columns.Id), requireDigit: false);
                var name = Collapse(Cell(cells, columns.Name).Text);
                if (ids.Count == 1 && name.Length > 0)
                    map.TryAdd(NameKey(name), ids[0]);
            }
        }
        return map;
    }

    // "Claude Opus 4" and "Claude Opus 4.0" are the same name; case and spacing don't matter.
    private static string NameKey(string display) =>
        TrailingZeroVersion().Replace(Collapse(display).ToLowerInvariant(), "$1");

    private static LifecycleStatus? StatusOf(PageTable table, Columns columns, IReadOnlyList<PageCell> cells)
    {
        if (columns.Status >= 0 && StatusWord(Cell(cells, columns.Status).Text) is { } stated)
            return stated;
        for (var i = table.Headings.Count - 1; i >= 0; i--)
        {
            if (StatusWord(table.Headings[i]) is { } fromHeading)
                return fromHeading;
        }
        return null;
    }

    private static LifecycleStatus? StatusWord(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var lower = text.ToLowerInvariant();
        var words = WordPattern().Matches(lower).Select(m => m.Value).ToHashSet();
        if (words.Contains("eol") || lower.Contains("end-of-life", StringComparison.Ordinal)
            || lower.Contains("end of life", StringComparison.Ordinal) || words.Contains("retired"))
            return LifecycleStatus.Retired;
        if (words.Contains("legacy"))
            return LifecycleStatus.Legacy;
        if (words.Contains("deprecated"))
            return LifecycleStatus.Deprecated;
        if (words.Contains("active"))
            return LifecycleStatus.Active;
        if (words.Contains("preview"))
            return LifecycleStatus.Preview;
        return null;
    }

    // Bedrock model ids (`anthropic.claude-3-haiku-20240307-v1:0`, `meta.llama3-1-8b-instruct-v1`,
    // `us.anthropic…` profiles) in a cell that may also hold prose ("… in US East (N. Virginia)", "A and B").
    // In a column of display names ("Titan Embeddings - Text v1.1") only tokens with a digit count as ids.
    private static List<string> BedrockIds(PageCell cell, bool requireDigit)
    {
        var ids = new List<string>();
        var sources = cell.Codes.Count > 0 ? cell.Codes.Append(cell.Text) : [cell.Text];
        foreach (var source in sources)
        {
            foreach (Match match in BedrockIdPattern().Matches(source))
            {
                var id = match.Value.TrimEnd('.', '-');
                if ((!requireDigit || id.Any(char.IsDigit)) && !NotAModel().IsMatch(id) && !ids.Contains(id))
                    ids.Add(id);
            }
        }
        return ids;
    }

    // A launch cell lists one date per Region; the model was released on the earliest.
    private static DateOnly? EarliestDate(PageCell cell, string column, List<string> problems)
    {
        var found = DateGrammar.FindAll(cell.Text);
        foreach (var impossible in found.Where(d => d.Problem is not null))
            problems.Add($"{impossible.Problem} in {column}");
        var dates = found.Where(d => d.HasValue).Select(d => d.Date!.Value).ToList();
        return dates.Count > 0 ? dates.Min() : null;
    }


    // A callout's title ("Note") is marked up as a heading on some pages; it is not the table's section.
    private static string? SectionOf(PageTable table) =>
        table.Headings.LastOrDefault(h => h.Trim().TrimEnd(':').ToLowerInvariant()
            is not ("note" or "notes" or "important" or "tip" or "warning" or "caution"));

    private static PageCell Cell(IReadOnlyList<PageCell> row, int index) =>
        index >= 0 && index < row.Count ? row[index] : PageCell.Empty;

    private static string Evidence(IReadOnlyList<PageCell> row)
    {
        var text = string.Join(" | ", row.Select(c => Collapse(c.Text)));
        return text.Length <= 500 ? text : text[..500];
    }

    private static bool IsPlaceholder(string text) =>
        Collapse(text).Trim('*', '.').ToLowerInvariant() is "" or "n/a" or "na" or "-" or "--" or "---" or "—"
            or "none" or "tbd";

    // Cell and header texts are collapsed already: they are not scanned with the pattern again.
    private static string Collapse(string text) => LifecycleTables.Collapse(text);

    // A display name is a few words ("Claude 3.5 Sonnet v1"), not a sentence.
    private static bool LooksLikeName(string text) =>
        text.Length <= 60 && text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 6
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

    [GeneratedRegex(@"\b(\d+)\.0\b")]
    private static partial Regex TrailingZeroVersion();

    // provider.model[-vN][:M], optionally behind a cross-Region prefix (us., eu., apac., global.).
    // The provider part has two letters or more and the model part starts with a letter, so "v1.1" in a
    // display name is not an id.
    [GeneratedRegex(@"(?<![\w.:-])(?:[a-z]{2,7}\.)?[a-z]{2,}[a-z0-9]*\.[a-z][a-z0-9.\-]*(?::\d+)?(?![\w:-])")]
    private static partial Regex BedrockIdPattern();

    [GeneratedRegex(@"\.(?:com|html?|aws|org|net|io)$")]
    private static partial Regex NotAModel();

    private sealed class Columns
    {
        private readonly int headerCount;
        private readonly int extra;   // data index of an unlabelled column, or -1
        private readonly IReadOnlyList<string> labels;

        private Columns(IReadOnlyList<string> labels, int headerCount, int extra)
        {
            this.labels = labels;
            this.headerCount = headerCount;
            this.extra = extra;
        }

        public int Id { get; private init; } = -1;
        public int Name { get; private init; } = -1;
        public int Status { get; private init; } = -1;
        public int Launch { get; private init; } = -1;
        public int Deprecation { get; private init; } = -1;
        public int Eol { get; private init; } = -1;
        public int Replacement { get; private init; } = -1;
        public int ReplacementId { get; private init; } = -1;

        public bool HasLifecycleDate => Eol >= 0 || Deprecation >= 0;

        public string Label(int index) => index >= 0 && index < labels.Count ? labels[index] : "";

        // Cells in label order; the unlabelled column, when present, becomes the last label ("EOL date").
        public IReadOnlyList<PageCell> Align(IReadOnlyList<PageCell> row)
        {
            if (extra < 0 || row.Count != headerCount + 1)
                return row;
            var aligned = new List<PageCell>(row.Count);
            for (var i = 0; i < row.Count; i++)
            {
                if (i != extra)
                    aligned.Add(row[i]);
            }
            aligned.Add(row[extra]);
            return aligned;
        }

        public static Columns? Find(PageTable table)
        {
            var texts = table.Header.Select(h => Collapse(h.Text).ToLowerInvariant()).ToList();
            var id = Index(texts, t => t.Contains("model id", StringComparison.Ordinal) && !IsReplacement(t));
            var name = Index(texts, t => (t.Contains("model name", StringComparison.Ordinal)
                || t.Contains("model version", StringComparison.Ordinal) || t is "model" or "name")
                && !IsReplacement(t));
            if (id < 0 && name < 0)
                return null;

            var eol = Index(texts, t => (t.Contains("eol", StringComparison.Ordinal) || t.Contains("end of life", StringComparison.Ordinal)
                || t.Contains("end-of-life", StringComparison.Ordinal) || t.Contains("retire", StringComparison.Ordinal)
                || t.Contains("shutdown", StringComparison.Ordinal)) && !IsReplacement(t));
            var extra = eol < 0 ? UnlabelledDateColumn(table, texts) : -1;
            var labels = texts.ToList();
            if (extra >= 0)
            {
                labels.Add("eol date");
                eol = labels.Count - 1;
            }

            var deprecation = Index(texts, t => t.Contains("deprecat", StringComparison.Ordinal) && !IsReplacement(t));
            if (deprecation < 0)
                deprecation = Index(texts, t => t.Contains("legacy", StringComparison.Ordinal) && t.Contains("date", StringComparison.Ordinal));

            return new Columns(labels, texts.Count, extra)
            {
                Id = id,
                Name = name,
                Status = Index(texts, t => t.Contains("status", StringComparison.Ordinal) || t.Contains("lifecycle", StringComparison.Ordinal)),
                Launch = Index(texts, t => t.Contains("launch", StringComparison.Ordinal) || t.Contains("release", StringComparison.Ordinal)),
                Deprecation = deprecation,
                Eol = eol,
                ReplacementId = Index(texts, t => IsReplacement(t) && (t.EndsWith(" id", StringComparison.Ordinal) || t.Contains(" id ", StringComparison.Ordinal))),
                Replacement = Index(texts, IsReplacement),
            };
        }

        private static bool IsReplacement(string header) =>
            header.Contains("replace", StringComparison.Ordinal) || header.Contains("recommended", StringComparison.Ordinal)
            || header.Contains("successor", StringComparison.Ordinal) || header.Contains("alternative", StringComparison.Ordinal);

        // Rows one cell longer than the header hide an unlabelled column. It is the column of dates that is
        // not a labelled date column: the one whose cells say "sooner"/"earlier", else the last such column.
        private static int UnlabelledDateColumn(PageTable table, List<string> texts)
        {
            var longRows = table.Rows.Where(r => r.Count == texts.Count + 1).ToList();
            if (longRows.Count == 0 || longRows.Count < table.Rows.Count / 2)
                return -1;
            // A dozen rows show the column's nature; reading dates in every cell of a long table costs time.
            longRows = longRows.Take(12).ToList();
            var candidates = new List<(int Index, int Estimates)>();
            for (var j = 0; j <= texts.Count; j++)
            {
                var filled = longRows.Where(r => !string.IsNullOrWhiteSpace(r[j].Text)).ToList();
                if (filled.Count == 0)
                    continue;
                var dated = filled.Count(r => CellDates.HasYear(r[j].Text) && DateGrammar.Parse(r[j].Text).HasValue);
                if (dated * 2 < filled.Count)
                    continue;
                var estimates = filled.Count(r => EstimateWords().IsMatch(r[j].Text));
                candidates.Add((j, estimates));
            }
            if (candidates.Count == 0)
                return -1;
            var best = candidates.MaxBy(c => c.Estimates);
            return best.Estimates > 0 ? best.Index : candidates[^1].Index;
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

    [GeneratedRegex(@"\b(?:sooner|earlier|earliest|later)\b", RegexOptions.IgnoreCase)]
    private static partial Regex EstimateWords();
}
