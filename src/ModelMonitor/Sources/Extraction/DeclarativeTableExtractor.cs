using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

/// Reads one lifecycle table described by <see cref="DeclarativeTableOptions"/>, so an operator can add a
/// provider whose page is a plain table without writing an extractor. Constructed from options, so the
/// built-in registry (parameterless extractors) does not list it; sources configure it by name.
public sealed partial class DeclarativeTableExtractor : IExtractor
{
    private const int MaxEvidence = 500;

    private readonly DeclarativeTableOptions _options;
    private readonly Dictionary<string, Mapped> _columns;

    public DeclarativeTableExtractor(DeclarativeTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
            throw new ArgumentException($"Invalid declarative table options: {string.Join(" ", errors)}", nameof(options));
        _options = options;
        _columns = options.Columns.ToDictionary(
            c => c.Key,
            c => new Mapped(c.Key, c.Value.Header.Trim(), c.Value.Pattern is { } p ? new Regex(p, RegexOptions.CultureInvariant, DeclarativeColumn.MatchTimeout) : null),
            StringComparer.Ordinal);
    }

    public string Provider => _options.Provider;

    public IReadOnlyList<Observation> Extract(string content) => LifecycleTables.Guard(Provider, () => Read(content ?? ""));

    private List<Observation> Read(string content)
    {
        var tables = _options.Selector is { } selector ? SelectTables(content, selector) : FindTables(content);
        var model = _columns["Model"];
        var withModel = tables.Where(t => t.Column(model.Header) >= 0).ToList();
        if (withModel.Count == 0)
            throw new ExtractionException($"no table with a '{model.Header}' column (the Model column) found {Where()}");

        var observations = new List<Observation>();
        foreach (var table in withModel)
            ReadTable(table, observations);
        return observations;
    }

    private string Where() =>
        _options.Heading is { } heading ? $"under a heading containing '{heading}'"
        : _options.Selector is { } selector ? $"in the elements matched by '{selector}'"
        : "on the page";

    private List<PageTable> FindTables(string content)
    {
        var tables = PageDocument.Parse(content).Tables;
        if (_options.Heading is not { } heading)
            return tables.ToList();
        var phrase = heading.Trim();
        return tables.Where(t => t.Headings.Any(h => h.Contains(phrase, StringComparison.OrdinalIgnoreCase))).ToList();
    }

    private static List<PageTable> SelectTables(string content, string selector)
    {
        var body = PageDocument.StripFrontMatter(content);
        if (PageDocument.DetectFormat(body) != PageFormat.Html)
            throw new ExtractionException($"Selector '{selector}' needs an HTML page, and this page is Markdown: use Heading to find its table.");
        var document = new HtmlParser().ParseDocument(body);
        var tables = new List<PageTable>();
        foreach (var element in document.QuerySelectorAll(selector))
        {
            var found = element is IHtmlTableElement table ? [table] : element.QuerySelectorAll("table").OfType<IHtmlTableElement>().ToList();
            foreach (var each in found)
                tables.Add(HtmlPageReader.ReadTable(each, HeadingsBefore(document, each)));
        }
        return tables;
    }

    // The headings enclosing an element in document order (h2 > h3 …), as PageDocument would report them.
    private static List<string> HeadingsBefore(IDocument document, IElement element)
    {
        var stack = new List<(int Level, string Text)>();
        foreach (var heading in document.QuerySelectorAll("h1, h2, h3, h4, h5, h6"))
        {
            if (!heading.CompareDocumentPosition(element).HasFlag(DocumentPositions.Following))
                break;
            var level = heading.LocalName[1] - '0';
            var text = PageDocument.CleanHeading(HtmlPageReader.InlineOf(heading).Text);
            if (text.Length == 0)
                continue;
            stack.RemoveAll(h => h.Level >= level);
            stack.Add((level, text));
        }
        return stack.Select(h => h.Text).ToList();
    }

    private void ReadTable(PageTable table, List<Observation> observations)
    {
        var located = _columns.Values.ToDictionary(c => c.Name, c => table.Column(c.Header), StringComparer.Ordinal);
        // A mapped column missing from the table means the page changed: say so on every row, do not guess.
        var missing = located.Where(l => l.Value < 0).Select(l => $"no '{_columns[l.Key].Header}' column ({l.Key}) in the table").ToList();

        foreach (var row in table.Rows)
        {
            var problems = new List<string>(missing);
            var models = Ids(row, located, "Model", problems);
            if (models.Count == 0)
                continue; // divider rows ("Preview models") and rows naming no id
            var retires = Date(row, located, "RetiresOn", problems);
            var deprecated = Date(row, located, "DeprecatedOn", problems);
            var released = Date(row, located, "ReleasedOn", problems);
            var replacements = Ids(row, located, "Replacement", problems);
            var status = Status(row, located, problems) ?? _options.DefaultStatus;
            var evidence = LifecycleTables.JoinCells(row);
            foreach (var model in models)
            {
                observations.Add(new Observation
                {
                    Provider = _options.Provider,
                    Platform = _options.Platform ?? _options.Provider,
                    Model = model,
                    Status = status,
                    ReleasedOn = released.Date,
                    DeprecatedOn = deprecated.Date,
                    RetiresOn = retires.Date,
                    RetiresOnIsEstimate = retires.HasValue && retires.IsEstimate,
                    RetiresOnPrecision = retires.HasValue ? retires.Precision : DatePrecision.Day,
                    Replacements = replacements.Where(r => r != model).ToList(),
                    Section = table.Section,
                    Evidence = evidence.Length <= MaxEvidence ? evidence : evidence[..MaxEvidence],
                    Problems = problems,
                });
            }
        }
    }

    private IReadOnlyList<string> Ids(IReadOnlyList<PageCell> row, Dictionary<string, int> located, string name, List<string> problems)
    {
        if (!_columns.TryGetValue(name, out var column) || located[name] < 0)
            return [];
        var cell = PageTable.Cell(row, located[name]);
        if (column.Pattern is null)
            return ModelIds.FromCell(cell);
        var ids = new List<string>();
        foreach (var line in cell.Lines.Count > 0 ? cell.Lines : [cell.Text])
        {
            foreach (var value in Matches(column, line, problems))
            {
                var id = ModelIds.Clean(value);
                if (id.Length > 0 && !ids.Contains(id, StringComparer.Ordinal))
                    ids.Add(id);
            }
        }
        return ids;
    }

    private ParsedDate Date(IReadOnlyList<PageCell> row, Dictionary<string, int> located, string name, List<string> problems)
    {
        if (!_columns.TryGetValue(name, out var column) || located[name] < 0)
            return ParsedDate.None;
        var text = PageTable.Cell(row, located[name]).Text;
        if (column.Pattern is not null && !DateGrammar.IsPlaceholder(text))
        {
            var value = Matches(column, text, problems).FirstOrDefault();
            if (value is null)
            {
                problems.Add($"Pattern of {name} did not match '{Shorten(text)}' in {column.Header}");
                return ParsedDate.None;
            }
            text = value;
        }
        var parsed = DateGrammar.Parse(text);
        if (parsed.Problem is { } problem)
            problems.Add($"{problem} in {column.Header}");
        return parsed;
    }

    private LifecycleStatus? Status(IReadOnlyList<PageCell> row, Dictionary<string, int> located, List<string> problems)
    {
        if (!_columns.TryGetValue("Status", out var column) || located["Status"] < 0)
            return null;
        var text = PageTable.Cell(row, located["Status"]).Text;
        if (column.Pattern is not null)
            text = Matches(column, text, problems).FirstOrDefault() ?? "";
        if (text.Trim().Length == 0 || DateGrammar.IsPlaceholder(text))
            return null;
        var status = StatusOf(text);
        if (status is null)
            problems.Add($"unknown status '{Shorten(text)}' in {column.Header}");
        return status;
    }

    internal static LifecycleStatus? StatusOf(string text) =>
        RetiredStatus().IsMatch(text) ? LifecycleStatus.Retired
        : DeprecatedStatus().IsMatch(text) ? LifecycleStatus.Deprecated
        : LegacyStatus().IsMatch(text) ? LifecycleStatus.Legacy
        : PreviewStatus().IsMatch(text) ? LifecycleStatus.Preview
        : ActiveStatus().IsMatch(text) ? LifecycleStatus.Active
        : null;

    [GeneratedRegex(@"\b(?:retired|shut\s*down|end[\s-]of[\s-]life|eol|discontinued|removed|unavailable)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RetiredStatus();

    [GeneratedRegex(@"\bdeprecat|\bretiring\b|\bscheduled for (?:retirement|shutdown)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DeprecatedStatus();

    [GeneratedRegex(@"\blegacy\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LegacyStatus();

    [GeneratedRegex(@"\b(?:preview|beta|experimental|alpha)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PreviewStatus();

    [GeneratedRegex(@"\b(?:active|ga|generally available|available|stable|supported|current)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ActiveStatus();

    // The first group of each match, else the whole match. A runaway pattern is a problem, not a hang.
    private static IEnumerable<string> Matches(Mapped column, string text, List<string> problems)
    {
        var values = new List<string>();
        try
        {
            foreach (Match match in column.Pattern!.Matches(text))
            {
                var value = (match.Groups.Count > 1 ? match.Groups[1].Value : match.Value).Trim();
                if (value.Length > 0)
                    values.Add(value);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            problems.Add($"Pattern of {column.Name} took too long on '{Shorten(text)}'");
        }
        return values;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private sealed record Mapped(string Name, string Header, Regex? Pattern);
}
