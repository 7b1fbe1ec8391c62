using System.Text.RegularExpressions;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// Cohere's deprecations page (docs.cohere.com/docs/deprecations, MDX) and its changelog posts.
/// The page is a history of announcements under headings that start with their date (`### 2024-12-02: …`):
/// older ones hold a table (shutdown date, deprecated model, price, replacement), newer ones a bullet list
/// introduced by a short label paragraph that names models (one `id` per bullet, aliases in the bullet's
/// prose), followed by a sentence recommending replacements. A changelog post has the same list without a
/// dated heading; its date is in the front matter. Lists whose label names endpoints, features, parameters
/// or fine-tuning are not models and yield nothing.
public sealed partial class CohereExtractor : IExtractor
{
    private const int MaxEvidence = 500;

    public string Provider => "cohere";

    public IReadOnlyList<Observation> Extract(string content) => LifecycleTables.Guard(Provider, () => Read(content ?? ""));

    private static List<Observation> Read(string content)
    {
        var document = PageDocument.Parse(content);
        // Each heading's announcement date, read once (null when it has none).
        var dates = new Dictionary<string, DateOnly?>(StringComparer.Ordinal);
        foreach (var heading in document.Blocks.OfType<PageHeading>())
            dates.TryAdd(heading.Text, AnnouncedOn(heading.Text));
        // A single announcement (a changelog post) is dated by its front matter, not by headings.
        var frontMatter = dates.Values.Any(d => d is not null) ? new FrontMatter(null, null) : FrontMatter.Read(content);
        var pageDate = frontMatter.Date;

        var observations = new List<Observation>();
        var group = new Group(frontMatter.Title, pageDate);
        var list = ListKind.None;

        foreach (var block in document.Blocks)
        {
            switch (block)
            {
                case PageHeading heading:
                    group.Flush(observations);
                    group = new Group(heading.Text, dates[heading.Text] ?? Enclosing(heading.Headings, dates) ?? pageDate);
                    list = Classify(heading.Text) is { } fromHeading && fromHeading.IsModels ? fromHeading : ListKind.None;
                    break;
                case PageTable table:
                    ReadTable(table, group);
                    list = ListKind.None;
                    break;
                case PageText { IsListItem: true } item:
                    if (list.IsModels)
                        ReadBullet(item, list, group);
                    break;
                case PageText paragraph:
                    if (Label(paragraph.Text) is { } label)
                        list = label;
                    else
                    {
                        group.ReadProse(paragraph);
                        list = ListKind.None;
                    }
                    break;
            }
        }
        group.Flush(observations);

        if (observations.Count == 0)
            throw new ExtractionException(
                "no deprecated Cohere models found: expected a table with a deprecated-model column, or a bullet list of model ids under a label naming deprecated models");
        return observations;
    }

    private static void ReadTable(PageTable table, Group group)
    {
        var modelColumn = ModelColumn(table);
        if (modelColumn < 0)
            return;
        var shutdownColumn = table.Column("shutdown", "shut down", "shut-off", "shut off", "shutoff", "retire", "end of life", "end date", "sunset", "discontinu", "deprecation date", "removal");
        var replacementColumn = table.Column("replacement", "replaced by", "successor", "alternative");
        // A table of models that says nothing about their end (prices, context sizes) is not a deprecation table.
        if (shutdownColumn < 0 && replacementColumn < 0 && !table.Header[modelColumn].Text.Contains("deprecat", StringComparison.OrdinalIgnoreCase))
            return;

        foreach (var row in table.Rows)
        {
            var models = ModelIds.FromCell(PageTable.Cell(row, modelColumn));
            if (models.Count == 0)
                continue;
            var problems = new List<string>();
            var retires = ParsedDate.None;
            if (shutdownColumn >= 0)
            {
                var cell = PageTable.Cell(row, shutdownColumn);
                retires = DateGrammar.Parse(cell.Text);
                if (retires.Problem is not null)
                    problems.Add($"{retires.Problem} in {table.Header[shutdownColumn].Text}");
            }
            var replacements = replacementColumn >= 0 ? ModelIds.FromCell(PageTable.Cell(row, replacementColumn)) : [];
            var evidence = Shorten(LifecycleTables.JoinCells(row));
            foreach (var model in models)
            {
                group.Add(new Entry(model, [], LifecycleStatus.Deprecated, retires, [.. replacements.Where(r => r != model)], evidence, problems));
            }
        }
    }

    // The column naming the deprecated model, not its price or its replacement.
    private static int ModelColumn(PageTable table)
    {
        for (var i = 0; i < table.Header.Count; i++)
        {
            var text = table.Header[i].Text;
            if (text.Contains("model", StringComparison.OrdinalIgnoreCase)
                && !NotTheModel().IsMatch(text))
                return i;
        }
        return -1;
    }

    [GeneratedRegex(@"price|cost|replacement|successor|alternative|date", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NotTheModel();

    /// One bullet of a models list: the first id is the model; ids after "alias" are its aliases, ids after
    /// "replace"/"use"/"instead"/"→" its replacements; a date in the bullet is its shutdown.
    private static void ReadBullet(PageText item, ListKind list, Group group)
    {
        var text = item.Text;
        var codes = item.Codes.Count > 0 ? item.Codes : ModelIds.FromText(text);
        string? model = null;
        var aliases = new List<string>();
        var replacements = new List<string>();
        var mode = Role.Model;
        var position = 0;
        // Indexed: a foreach over an IReadOnlyList would allocate its enumerator.
        for (var i = 0; i < codes.Count; i++)
        {
            var code = codes[i];
            var at = text.IndexOf(code, position, StringComparison.Ordinal);
            if (at >= 0)
            {
                mode = RoleOf(text.AsSpan(position, at - position), mode);
                position = at + code.Length;
            }
            var id = ModelIds.Clean(code);
            if (!ModelIds.LooksLikeId(id))
                continue;
            if (model is null)
                model = id;
            else if (mode == Role.Alias && !aliases.Contains(id))
                aliases.Add(id);
            else if (mode == Role.Replacement && !replacements.Contains(id))
                replacements.Add(id);
        }
        if (model is null)
            return;

        var problems = new List<string>();
        var retires = list.Shutdown;
        // Dates are looked for in the bullet's prose only; its ids hold digits that are not dates.
        var prose = text;
        for (var i = 0; i < codes.Count; i++)
            prose = prose.Replace(codes[i], " ", StringComparison.Ordinal);
        var dates = prose.AsSpan().IndexOfAnyInRange('0', '9') >= 0 ? DateGrammar.FindAll(prose) : [];
        foreach (var date in dates)
        {
            if (date.Problem is not null)
                problems.Add($"{date.Problem} in '{Shorten(text)}'");
            else if (date.HasValue)
            {
                retires = date;
                break;
            }
        }
        group.Add(new Entry(model, aliases, list.Status, retires, replacements, Shorten(text), problems) { FromList = true });
    }

    private enum Role
    {
        Model,
        Alias,
        Replacement,
    }

    private static Role RoleOf(ReadOnlySpan<char> between, Role current) =>
        ReplacementWords().IsMatch(between) ? Role.Replacement
        : AliasWord().IsMatch(between) ? Role.Alias
        : current;

    [GeneratedRegex(@"\balias(es)?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AliasWord();

    [GeneratedRegex(@"\breplac|\binstead\b|\buse\b|\bmigrate\b|\bsuccessor|→|->", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReplacementWords();

    private readonly record struct ListKind(bool IsModels, LifecycleStatus Status, ParsedDate Shutdown)
    {
        public static ListKind None => default;
    }

    /// A paragraph that is a label ("Models retired today:") → what the following bullets are.
    private static ListKind? Label(string text)
    {
        var trimmed = text.Trim();
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
            return null;
        string head;
        if (trimmed.EndsWith(':'))
            head = trimmed[..^1];
        else if (LifecycleTables.WordCount(trimmed.AsSpan(0, colon)) <= 6)
            head = trimmed[..colon];
        else
            return null;
        return Classify(head) ?? ListKind.None;
    }

    private static ListKind? Classify(string label)
    {
        if (NotModelsLabel().IsMatch(label))
            return ListKind.None;
        if (!label.Contains("model", StringComparison.OrdinalIgnoreCase))
            return null;
        // A label with a shutdown word and a date dates the list; a short one ("Retired models") names its state.
        var shutdown = RetiredWords().IsMatch(label) ? DateGrammar.FindFirst(label) : ParsedDate.None;
        var words = LifecycleTables.WordCount(label);
        var status = !shutdown.HasValue && words <= 4 && RetiredWords().IsMatch(label) ? LifecycleStatus.Retired
            : label.Contains("legacy", StringComparison.OrdinalIgnoreCase) ? LifecycleStatus.Legacy
            : LifecycleStatus.Deprecated;
        return new ListKind(true, status, shutdown);
    }

    [GeneratedRegex(@"fine[\s-]?tun|feature|endpoint|parameter|capabilit|integration|\bapis?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NotModelsLabel();

    [GeneratedRegex(@"shut\s*down|shutting\s+down|retired|retiring|removed|sunset", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RetiredWords();

    private static DateOnly? Enclosing(IReadOnlyList<string> headings, Dictionary<string, DateOnly?> dates)
    {
        for (var i = headings.Count - 1; i >= 0; i--)
        {
            if (dates.GetValueOrDefault(headings[i]) is { } date)
                return date;
        }
        return null;
    }

    // "2024-12-02: <title>": the date before the colon is when the deprecation was announced.
    private static DateOnly? AnnouncedOn(string heading)
    {
        var colon = heading.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || heading.AsSpan(0, colon).IndexOfAnyInRange('0', '9') < 0)
            return null;
        var parsed = DateGrammar.Parse(heading[..colon]);
        return parsed.Precision == DatePrecision.Day ? parsed.Date : null;
    }

    private static string Shorten(string text) => text.Length <= MaxEvidence ? text : text[..MaxEvidence];

    private sealed record Entry(
        string Model,
        IReadOnlyList<string> Aliases,
        LifecycleStatus Status,
        ParsedDate Retires,
        IReadOnlyList<string> Replacements,
        string Evidence,
        IReadOnlyList<string> Problems)
    {
        public bool FromList { get; init; }
    }

    /// The models of one announcement, completed by the prose around its list (replacements, a shutdown date).
    private sealed partial class Group(string? section, DateOnly? announcedOn)
    {
        private readonly List<Entry> _entries = [];
        private readonly List<string> _notes = [];
        private List<string>? _replacements;
        private string? _replacementPrefix;
        private ParsedDate _shutdown = ParsedDate.None;

        public string? Section { get; } = section;

        public DateOnly? AnnouncedOn { get; } = announcedOn;

        public void Add(Entry entry) => _entries.Add(entry);

        public void ReadProse(PageText paragraph)
        {
            if (_entries.Count == 0 || !_entries.Exists(e => e.FromList))
                return;
            var text = paragraph.Text;
            if (RecommendationWords().IsMatch(text))
            {
                var ids = DistinctIds(paragraph.Codes);
                if (ids.Count > 0)
                {
                    _replacements = ids;
                    _replacementPrefix = FamilyScope().Match(text) is { Success: true } scope ? scope.Groups["family"].Value : null;
                    _notes.Add(text);
                }
            }
            if (ShutdownWords().IsMatch(text) && DateGrammar.FindFirst(text) is { HasValue: true } date)
            {
                _shutdown = date;
                _notes.Add(text);
            }
        }

        // The code spans that are ids, each once, in order.
        private static List<string> DistinctIds(IReadOnlyList<string> codes)
        {
            var ids = new List<string>();
            for (var i = 0; i < codes.Count; i++)
            {
                var id = ModelIds.Clean(codes[i]);
                if (ModelIds.LooksLikeId(id) && !ids.Contains(id))
                    ids.Add(id);
            }
            return ids;
        }

        public void Flush(List<Observation> observations)
        {
            if (_entries.Count == 0)
                return;
            // The same for every entry they complete, so worked out once: the recommended replacements other than
            // the announcement's own models, and its notes as the evidence quotes them.
            List<string>? recommended = null;
            string? notes = null;
            foreach (var entry in _entries)
            {
                var replacements = entry.Replacements;
                if (replacements.Count == 0 && entry.FromList && _replacements is not null
                    && (_replacementPrefix is null || entry.Model.StartsWith(_replacementPrefix, StringComparison.OrdinalIgnoreCase)))
                    replacements = recommended ??= Unlisted(_replacements);
                var retires = entry.Retires.HasValue || !entry.FromList ? entry.Retires : _shutdown;
                var evidence = entry.FromList && _notes.Count > 0
                    ? string.Concat(entry.Evidence, " | ", notes ??= string.Join(" | ", _notes))
                    : entry.Evidence;
                observations.Add(new Observation
                {
                    Provider = "cohere",
                    Platform = "cohere",
                    Model = entry.Model,
                    Aliases = entry.Aliases,
                    Status = entry.Status,
                    DeprecatedOn = AnnouncedOn,
                    RetiresOn = retires.Date,
                    RetiresOnIsEstimate = retires.HasValue && retires.IsEstimate,
                    RetiresOnPrecision = retires.HasValue ? retires.Precision : DatePrecision.Day,
                    Replacements = replacements,
                    Section = Section,
                    Evidence = Shorten(evidence),
                    Problems = entry.Problems,
                });
            }
            _entries.Clear();
        }

        private List<string> Unlisted(List<string> ids)
        {
            var listed = new HashSet<string>(_entries.Count, StringComparer.Ordinal);
            foreach (var entry in _entries)
                listed.Add(entry.Model);
            return ids.FindAll(id => !listed.Contains(id));
        }

        [GeneratedRegex(@"\breplac|\brecommend|\binstead\b|\bmigrate\b|\bsuccessor", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
        private static partial Regex RecommendationWords();

        // A recommendation that names a family ("for <family> model replacements", "replacements for <family>
        // models") covers only ids of that family.
        [GeneratedRegex(@"\bfor\s+(?<family>[\w.\-]+)\s+models?\s+replacements?\b|\breplacements?\s+for\s+(?<family>[\w.\-]+)\s+models?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
        private static partial Regex FamilyScope();

        [GeneratedRegex(@"shut\s*down|retire|sunset|no longer (?:be )?available|will fail|return an error|removed", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
        private static partial Regex ShutdownWords();
    }

    /// The few front-matter fields a single announcement is dated and titled by.
    private sealed record FrontMatter(string? Title, DateOnly? Date)
    {
        private static readonly string[] DateKeys = ["date", "createdAt", "publishedAt", "created", "published"];

        public static FrontMatter Read(string content)
        {
            var text = content.TrimStart('\uFEFF');
            var bodyStart = PageDocument.FrontMatterEnd(text);
            if (bodyStart == 0)
                return new FrontMatter(null, null);
            // The first value of each field read (keys ignore case); lines as spans: only those values become strings.
            string? title = null;
            var dateValues = new string?[DateKeys.Length];
            foreach (var range in text.AsSpan(0, bodyStart).Split('\n'))
            {
                var line = text.AsSpan(range);
                var colon = line.IndexOf(':');
                if (colon <= 0 || char.IsWhiteSpace(line[0]))
                    continue;
                var key = line[..colon].Trim();
                if (key.Equals("title", StringComparison.OrdinalIgnoreCase))
                    title ??= Value(line, colon);
                for (var i = 0; i < DateKeys.Length; i++)
                {
                    if (key.Equals(DateKeys[i], StringComparison.OrdinalIgnoreCase))
                        dateValues[i] ??= Value(line, colon);
                }
            }
            DateOnly? date = null;
            foreach (var value in dateValues)
            {
                if (value is not null && DateGrammar.FindFirst(value) is { HasValue: true } found)
                {
                    date = found.Date;
                    break;
                }
            }
            return new FrontMatter(title is { Length: > 0 } ? title : null, date);
        }

        private static string Value(ReadOnlySpan<char> line, int colon) => line[(colon + 1)..].Trim().Trim("\"'").ToString();
    }
}
