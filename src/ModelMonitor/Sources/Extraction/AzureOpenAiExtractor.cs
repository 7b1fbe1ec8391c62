using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using ModelMonitor.Catalog;

namespace ModelMonitor.Sources.Extraction;

// Reads Azure's model retirement pages: the Azure OpenAI article and its table include (Markdown or
// rendered HTML) and the Foundry partner-models lifecycle page. Azure identity is name + version, so
// `Model` is the name (`gpt-35-turbo`) and `Version` the version (`0613`).
//
// Decisions, for the pages' meaning:
// - A table is read when it has a model column and a retirement or deprecation column. Fine-tuning
//   tables (training / deployment retirement) and the default-version table are not lifecycle rows.
// - Status: the table's lifecycle-status column; else the innermost heading that names a state
//   ("Deprecated models", "Current models"); else Deprecated when the row has a deprecation date (the
//   partner page's timelines); else Active (the retirement include lists models currently available).
// - Partner models are named by display name. The model is the display text when it is id-like; else
//   the catalog name in the cell's link (ai.azure.com/explore/models/<name>/…, aka.ms/…/landing/<name>);
//   else a lowercase slug of the display name, with a problem saying so.
// - The wrapper article that only includes its table from another file yields no rows: that is an
//   ExtractionException naming the include, so a source pointed at the article is reported, not empty.
public sealed partial class AzureOpenAiExtractor : IExtractor
{
    public string Provider => "azure-openai";

    public IReadOnlyList<Observation> Extract(string content)
    {
        try
        {
            return Read(ReadDocument(content));
        }
        catch (Exception ex) when (ex is not ExtractionException)
        {
            // The contract: odd input is an extraction error, never another exception.
            throw new ExtractionException($"the Azure retirement page could not be read: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static IReadOnlyList<Observation> Read(PageDocument document)
    {
        var observations = new List<Observation>();
        var lifecycleTables = 0;
        Dictionary<string, string>? linkTargets = null;

        foreach (var table in document.Tables)
        {
            var columns = Columns.Find(table.Header);
            if (columns is null)
                continue;
            lifecycleTables++;
            var headingStatus = HeadingStatus(table);
            var section = SectionOf(table);
            // A table's (name, version) pairs are read once: a row repeating one adds nothing.
            var seen = new HashSet<(string, string?)>(table.Rows.Count);
            foreach (var row in table.Rows)
            {
                if (!IsBlank(row))
                    ReadRow(table, columns, row, headingStatus, section, document, ref linkTargets, observations, seen);
            }
        }

        if (lifecycleTables == 0)
            throw new ExtractionException(NoTableMessage(document));
        return observations;
    }

    private static PageDocument ReadDocument(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
            throw new ExtractionException("the Azure retirement page is empty");
        return PageDocument.Parse(content);
    }

    private static string NoTableMessage(PageDocument document)
    {
        var include = document.Blocks.OfType<PageText>()
            .FirstOrDefault(t => t.Text.Contains("!INCLUDE", StringComparison.OrdinalIgnoreCase));
        return include is null
            ? "no table with a 'Model' column and a 'Retirement date' or 'Deprecation date' column found"
            : "no model retirement table found: this article includes its table from another file "
              + $"('{include.Text.Trim()}'); point the source at the include "
              + "(articles/ai-foundry/openai/includes/retirement/models.md in the docs repository)";
    }

    private static void ReadRow(
        PageTable table, Columns columns, IReadOnlyList<PageCell> row, LifecycleStatus? headingStatus, string? section,
        PageDocument document, ref Dictionary<string, string>? linkTargets, List<Observation> observations,
        HashSet<(string, string?)> seen)
    {
        var problems = new List<string>();
        var modelCell = Cell(row, columns.Model);
        var (names, inlineVersion) = ModelNames(modelCell, problems, document, ref linkTargets);
        if (names.Count == 0)
            return;

        var versions = columns.Version >= 0 ? Versions(Cell(row, columns.Version)) : [];
        if (versions.Count == 0)
            versions = [inlineVersion];

        var retires = CellDates.Read(Cell(row, columns.Retirement), HeaderText(table, columns.Retirement), problems, ignoreVersionCodes: true);
        var deprecated = CellDates.Read(Cell(row, columns.Deprecation), HeaderText(table, columns.Deprecation), problems, ignoreVersionCodes: true);
        var released = CellDates.Read(Cell(row, columns.Release), HeaderText(table, columns.Release), problems, ignoreVersionCodes: true);
        var replacements = columns.Replacement >= 0
            ? Replacements(Cell(row, columns.Replacement), document, ref linkTargets)
            : [];
        var status = StatusOf(columns, row, headingStatus, deprecated);
        var evidence = Evidence(row);

        // Names and versions on matching lines (`a`<br>`b` | 1<br>2) pair up; otherwise every name has every
        // version (`gpt-4`<br>`gpt-4-32k` | 0613, or `gpt-4` | 0314, 0613).
        var paired = names.Count > 1 && names.Count == versions.Count
            && Cell(row, columns.Model).Lines.Count == names.Count && Cell(row, columns.Version).Lines.Count == versions.Count;
        for (var i = 0; i < names.Count; i++)
        {
            if (paired)
                Add(names[i], versions[i]);
            else
            {
                foreach (var version in versions)
                    Add(names[i], version);
            }
        }

        void Add(string rawName, string? version)
        {
            var (name, aliases, repeated) = NameWithoutVersion(rawName, version);
            if (!seen.Add((name, version)))
                return;
            observations.Add(new Observation
            {
                Provider = "azure-openai",
                Platform = "azure-openai",
                Model = name,
                Version = version,
                Aliases = aliases,
                Status = status,
                ReleasedOn = released.Date,
                DeprecatedOn = deprecated.Date,
                RetiresOn = retires.Date,
                RetiresOnIsEstimate = retires.HasValue && retires.IsEstimate,
                RetiresOnPrecision = retires.HasValue ? retires.Precision : DatePrecision.Day,
                Replacements = replacements,
                Section = section,
                Evidence = evidence,
                // The row's problems are its observations' own (nothing adds to them after this), but for the one
                // about this name.
                Problems = repeated is null ? problems : [.. problems, repeated],
            });
        }
    }

    // The page's spelling `gpt-realtime-mini-2025-12-15` with version `2025-12-15` repeats the version in
    // the name; Azure deploys it as name `gpt-realtime-mini`, version `2025-12-15`. Only dated versions:
    // `dall-e-3` version `3` is the model's real name. The problem says so when the name is read without it.
    private static (string Name, IReadOnlyList<string> Aliases, string? Problem) NameWithoutVersion(string name, string? version)
    {
        if (version is not null && IsoDate().IsMatch(version)
            && name.Length > version.Length + 1
            && name[^(version.Length + 1)] == '-'
            && name.EndsWith(version, StringComparison.OrdinalIgnoreCase))
        {
            var bare = name[..^(version.Length + 1)];
            return (bare, [name], $"model name '{name}' repeats its version '{version}'; read as '{bare}'");
        }
        return (name, [], null);
    }

    private static LifecycleStatus? StatusOf(
        Columns columns, IReadOnlyList<PageCell> row, LifecycleStatus? headingStatus, ParsedDate deprecated)
    {
        if (columns.Status >= 0 && StatusWord(Cell(row, columns.Status).Text) is { } stated)
            return stated;
        return headingStatus ?? (deprecated.HasValue ? LifecycleStatus.Deprecated : LifecycleStatus.Active);
    }

    // The innermost heading that names a state, read once per table.
    private static LifecycleStatus? HeadingStatus(PageTable table)
    {
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
        bool retired = false, deprecated = false, legacy = false, preview = false, active = false, generally = false, available = false;
        var lower = text.ToLowerInvariant();
        foreach (var word in WordPattern().EnumerateMatches(lower))
        {
            switch (lower.AsSpan(word.Index, word.Length))
            {
                case "retired": retired = true; break;
                case "deprecated": deprecated = true; break;
                case "legacy": legacy = true; break;
                case "preview": preview = true; break;
                case "ga" or "active" or "current": active = true; break;
                case "generally": generally = true; break;
                case "available": available = true; break;
            }
        }
        if (retired)
            return LifecycleStatus.Retired;
        if (deprecated)
            return LifecycleStatus.Deprecated;
        if (legacy)
            return LifecycleStatus.Legacy;
        if (preview)
            return LifecycleStatus.Preview;
        if (active || (generally && available))
            return LifecycleStatus.Active;
        return null;
    }

    // The names a model cell gives, and a version written in the same cell: `gpt-4`<br>`gpt-4-32k` - 0314,
    // `gpt-4o` (2024-05-13), `gpt-4` version: `turbo-2024-04-09`.
    private static (IReadOnlyList<string> Names, string? Version) ModelNames(
        PageCell cell, List<string> problems, PageDocument document,
        ref Dictionary<string, string>? linkTargets)
    {
        var text = cell.Text.Trim();
        if (text.Length == 0 || IsPlaceholder(text))
            return ([], null);

        string? version = null;
        if (MayHaveInlineVersion(text) && InlineVersion().Match(text) is { Success: true } trailing)
            version = CleanVersion(trailing.Groups["version"].Value);

        var names = new List<string>();
        if (cell.Codes.Count > 0)
        {
            // Indexed, as the rows below: a foreach over an IReadOnlyList would allocate its enumerator.
            for (var c = 0; c < cell.Codes.Count; c++)
            {
                var candidate = cell.Codes[c].Trim();
                if (candidate.Length == 0 || string.Equals(candidate, version, StringComparison.Ordinal))
                    continue;
                if (candidate.AsSpan().ContainsAny(Whitespace))
                {
                    // `model router` is deployed as `model-router`; say so rather than drop the row.
                    var joined = WhitespaceRun().Replace(candidate, "-");
                    problems.Add($"model name '{candidate}' contains spaces; read as '{joined}'");
                    candidate = joined;
                }
                names.Add(ModelIds.Clean(candidate));
            }
            return (Distinct(names), version);
        }

        if (cell.Lines.Count > 1)
        {
            for (var l = 0; l < cell.Lines.Count; l++)
            {
                var line = cell.Lines[l];
                AddDisplayName(MayHaveInlineVersion(line) ? InlineVersion().Replace(line, "") : line, cell, names, problems, document, ref linkTargets);
            }
        }
        else
            AddDisplayName(version is null ? text : InlineVersion().Replace(text, ""), cell, names, problems, document, ref linkTargets);
        return (Distinct(names), version);
    }

    // One line of a model cell without code spans: the id it shows, else the model its link names, else a slug.
    private static void AddDisplayName(
        string line, PageCell cell, List<string> names, List<string> problems, PageDocument document,
        ref Dictionary<string, string>? linkTargets)
    {
        var display = line.Trim();
        if (display.Length == 0 || IsPlaceholder(display))
            return;
        if (!LooksLikeName(display))
        {
            problems.Add($"'{Shorten(display)}' in the model column is not a model name; not reported");
            return;
        }
        var id = ModelIds.Clean(display);
        if (IsIdLike(id))
        {
            names.Add(id);
            return;
        }
        var fromLink = LinkedName(display, cell, document, ref linkTargets);
        if (fromLink is not null)
        {
            names.Add(fromLink);
            return;
        }
        var slug = Slug(display);
        if (slug.Length == 0)
            return;
        problems.Add($"no model id on the page for '{display}'; identified by its display name as '{slug}'");
        names.Add(slug);
    }

    private static List<string?> Versions(PageCell cell)
    {
        var versions = new List<string?>();
        if (cell.Lines.Count == 0)
            AddVersions(cell.Text, versions);
        for (var l = 0; l < cell.Lines.Count; l++)
            AddVersions(cell.Lines[l], versions);
        return versions;
    }

    // Most lines are one version: only a line that may list several is split.
    private static void AddVersions(string line, List<string?> versions)
    {
        if (IsPlaceholder(line))
            return;
        if (!MayHaveSeparator(line))
        {
            AddVersion(line, versions);
            return;
        }
        foreach (var part in VersionSeparator().Split(line))
            AddVersion(part, versions);
    }

    private static void AddVersion(string part, List<string?> versions)
    {
        var version = CleanVersion(part);
        if (version.Length > 0 && !IsPlaceholder(version) && !versions.Contains(version))
            versions.Add(version);
    }

    private static string CleanVersion(string text)
    {
        var version = text.Trim().Trim(VersionMarks).Trim();
        if (MayHaveFootnote(version))
            version = VersionFootnote().Replace(version, "").Trim();
        return version.StartsWith("version", StringComparison.OrdinalIgnoreCase)
            ? version["version".Length..].TrimStart(':', ' ')
            : version;
    }

    // Replacement cells name a model and often its version: "`gpt-4.1` version: `2025-04-14`",
    // "`gpt-35-turbo` (0125) <br><br> `gpt-4o-mini`", "A (version X) or B (version Y)". Keep the names.
    private static IReadOnlyList<string> Replacements(
        PageCell cell, PageDocument document, ref Dictionary<string, string>? linkTargets)
    {
        var ids = new List<string>();
        if (cell.Lines.Count == 0)
            AddReplacements(cell.Text, cell, document, ref linkTargets, ids);
        for (var l = 0; l < cell.Lines.Count; l++)
            AddReplacements(cell.Lines[l], cell, document, ref linkTargets, ids);
        return Distinct(ids);
    }

    // Most lines name one model: only a line that may name several is split.
    private static void AddReplacements(
        string line, PageCell cell, PageDocument document, ref Dictionary<string, string>? linkTargets, List<string> ids)
    {
        if (!MayHaveSeparator(line))
        {
            AddReplacement(line, cell, document, ref linkTargets, ids);
            return;
        }
        foreach (var part in AlternativeSeparator().Split(line))
            AddReplacement(part, cell, document, ref linkTargets, ids);
    }

    private static void AddReplacement(
        string part, PageCell cell, PageDocument document, ref Dictionary<string, string>? linkTargets, List<string> ids)
    {
        var withoutNotes = part.Contains('(', StringComparison.Ordinal) ? Parenthetical().Replace(part, " ") : part;
        var withoutVersion = withoutNotes.AsSpan().ContainsAny(VersionWord)
            ? VersionMention().Replace(withoutNotes, " ")
            : withoutNotes;
        var text = withoutVersion.Trim();
        if (text.Length == 0 || IsPlaceholder(text))
            return;
        if (!text.AsSpan().ContainsAny(Whitespace))
        {
            var id = ModelIds.Clean(text);
            if (IsIdLike(id))
                ids.Add(id);
            return;
        }
        // A display name ("Cohere Command R 08-2024") names a model only through its link.
        if (LinkedName(text, cell, document, ref linkTargets) is { } linked)
            ids.Add(linked);
    }

    private static string? LinkedName(
        string display, PageCell cell, PageDocument document, ref Dictionary<string, string>? linkTargets)
    {
        if (document.Html is null || cell.Links.Count == 0)
            return null;
        linkTargets ??= TableLinkTargets(document.Html);
        var key = Collapse(display);
        return linkTargets.TryGetValue(key, out var name) ? name : null;
    }

    // PageCell keeps link texts only; the partner page names the model's catalog id in the link target.
    private static Dictionary<string, string> TableLinkTargets(IDocument document)
    {
        var targets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        // The anchors "table a[href]" selects, in document order, without building a selector for each page.
        foreach (var anchor in document.GetElementsByTagName("a"))
        {
            if (!anchor.HasAttribute("href") || !InTable(anchor))
                continue;
            var text = Collapse(anchor.TextContent);
            if (text.Length > 0 && CatalogName(anchor.GetAttribute("href")) is { } name)
                targets.TryAdd(text, name);
        }
        return targets;
    }

    private static bool InTable(IElement element)
    {
        for (var parent = element.ParentElement; parent is not null; parent = parent.ParentElement)
        {
            if (parent.LocalName == "table")
                return true;
        }
        return false;
    }

    private static string? CatalogName(string? href)
    {
        if (!Uri.TryCreate(href, UriKind.Absolute, out var uri))
            return null;
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (segments[i] is "models" or "landing")
            {
                var name = Uri.UnescapeDataString(segments[i + 1]);
                return IsIdLike(name) ? name : null;
            }
        }
        return null;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private static string HeaderText(PageTable table, int index) =>
        index >= 0 && index < table.Header.Count ? table.Header[index].Text.Trim() : "";

    // A callout's title ("Note") is marked up as a heading on some pages; it is not the table's section.
    private static string? SectionOf(PageTable table) =>
        table.Headings.LastOrDefault(h => h.Trim().TrimEnd(':').ToLowerInvariant()
            is not ("note" or "notes" or "important" or "tip" or "warning" or "caution"));

    private static PageCell Cell(IReadOnlyList<PageCell> row, int index) =>
        index >= 0 && index < row.Count ? row[index] : PageCell.Empty;

    private static bool IsBlank(IReadOnlyList<PageCell> row)
    {
        for (var i = 0; i < row.Count; i++)
        {
            if (!string.IsNullOrWhiteSpace(row[i].Text))
                return false;
        }
        return true;
    }

    private static string Evidence(IReadOnlyList<PageCell> row)
    {
        // Cell texts are normalized: no whitespace at either end.
        var text = LifecycleTables.JoinCells(row);
        return text.Length <= 500 ? text : text[..500];
    }

    // As Collapse(text).Trim('*', '.') compared case-insensitively: no placeholder has a space inside or more than
    // four characters, so most cells are ruled out without building a string.
    private static bool IsPlaceholder(string text)
    {
        var core = text.AsSpan().Trim().Trim("*.");
        if (core.Length > 4 || core.ContainsAny(Whitespace))
            return false;
        // ASCII letters ignoring case: the only other character ToLowerInvariant makes ASCII is the Kelvin sign (k).
        return core is "" or "-" or "--" or "---" or "—"
            || Ascii.EqualsIgnoreCase(core, "n/a") || Ascii.EqualsIgnoreCase(core, "na") || Ascii.EqualsIgnoreCase(core, "none")
            || Ascii.EqualsIgnoreCase(core, "tbd") || Ascii.EqualsIgnoreCase(core, "tba");
    }

    // What \s matches: the characters char.IsWhiteSpace accepts.
    private static readonly SearchValues<char> Whitespace = SearchValues.Create(
        Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(char.IsWhiteSpace).ToArray());

    // A display name is a few words ("Cohere Command R 08-2024"), not a sentence.
    private static bool LooksLikeName(string text) =>
        text.Length <= 60 && LifecycleTables.WordCount(text) <= 6
        && !text.Contains(". ", StringComparison.Ordinal) && !text.EndsWith('.') && !text.Contains(':', StringComparison.Ordinal);

    // Ids keep the page's case (Azure catalog names such as `Phi-4` are mixed case); no spaces, some letter.
    private static bool IsIdLike(string text) =>
        IdShape().IsMatch(text) && ModelIds.HasLetter(text) && !IsPlaceholder(text);

    // Cell and header texts are collapsed already: only link texts from the HTML tree need the pattern.
    private static string Collapse(string text) => LifecycleTables.Collapse(text);

    private static string Slug(string display)
    {
        var text = display.Replace("+", " plus ", StringComparison.Ordinal).ToLowerInvariant();
        var builder = new StringBuilder();
        foreach (var c in text)
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '.' ? c : '-');
        return DashRun().Replace(builder.ToString(), "-").Trim('-', '.');
    }

    // The non-empty items, each once, in order; lists are a few names long. Most are one name: the list itself.
    private static List<string> Distinct(List<string> items)
    {
        if (items.Count == 1 && items[0].Length > 0)
            return items;
        var distinct = new List<string>(items.Count);
        foreach (var item in items)
        {
            if (item.Length > 0 && !distinct.Contains(item))
                distinct.Add(item);
        }
        return distinct;
    }

    [GeneratedRegex(@"[a-z]+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:@\-]*$")]
    private static partial Regex IdShape();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"-{2,}")]
    private static partial Regex DashRun();

    // Every form of InlineVersion has a space or a parenthesis; most model cells are a bare id.
    private static bool MayHaveInlineVersion(string text) => text.AsSpan().ContainsAny(Whitespace) || text.Contains('(', StringComparison.Ordinal);

    private static readonly char[] VersionMarks = ['(', ')', '`', '*', '†', '‡', ',', ';', '.'];

    // VersionSeparator and AlternativeSeparator need one of ",;/" or the word "and" or "or"; most version and
    // replacement cells are one version or one model.
    private static bool MayHaveSeparator(string line) =>
        line.AsSpan().IndexOfAny(",;/") >= 0 || line.AsSpan().ContainsAny(SeparatorWords);

    // Searched for at once, vectorized; string.Contains with OrdinalIgnoreCase compares one character at a time
    // when globalization is invariant.
    private static readonly SearchValues<string> SeparatorWords = SearchValues.Create(["or", "and"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> VersionWord = SearchValues.Create(["version"], StringComparison.OrdinalIgnoreCase);

    // A version at the end of a model cell: "name - 0314" (a spaced dash never occurs inside a model name),
    // "name (2024-05-13)", "name (version 2024-12-17)", "name version: turbo-2024-04-09".
    [GeneratedRegex(@"(?:\s[-–—]\s+(?<version>[A-Za-z0-9][A-Za-z0-9.\-]*)|\s*\(\s*(?:version\s*:?\s*(?<version>[A-Za-z0-9][A-Za-z0-9.\-]*)|(?<version>\d[A-Za-z0-9.\-]*))\s*\)|\s+version\s*:?\s*(?<version>[A-Za-z0-9][A-Za-z0-9.\-]*))\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex InlineVersion();

    [GeneratedRegex(@"\s*(?:[,;/]|\band\b|\bor\b)\s*", RegexOptions.IgnoreCase)]
    private static partial Regex VersionSeparator();

    // VersionFootnote needs a space before the number or a mark at the end; most versions have neither.
    private static bool MayHaveFootnote(string version) =>
        version.Length > 0 && (FootnoteEnds.Contains(version[^1]) || version.AsSpan().ContainsAny(Whitespace));

    private static readonly SearchValues<char> FootnoteEnds = SearchValues.Create("¹²³⁴⁵⁶⁷⁸⁹⁰]");

    // Footnote marks after a version: "2024-05-13 1" (a <sup>1</sup>), "0613¹", "0613[1]".
    [GeneratedRegex(@"(?<=\S{3})\s+\d{1,2}$|[¹²³⁴⁵⁶⁷⁸⁹⁰]+$|\[\d+\]$")]
    private static partial Regex VersionFootnote();

    [GeneratedRegex(@"\s*(?:,|\bor\b|\band\b)\s*", RegexOptions.IgnoreCase)]
    private static partial Regex AlternativeSeparator();

    [GeneratedRegex(@"\([^)]*\)")]
    private static partial Regex Parenthetical();

    [GeneratedRegex(@"\bversion\b\s*:?\s*\S*", RegexOptions.IgnoreCase)]
    private static partial Regex VersionMention();

    private sealed record Columns(
        int Model, int Version, int Status, int Release, int Deprecation, int Retirement, int Replacement)
    {
        public static Columns? Find(IReadOnlyList<PageCell> header)
        {
            var texts = header.Select(h => Collapse(h.Text).ToLowerInvariant()).ToList();
            // Fine-tuning tables retire training and deployment separately, after the base model.
            if (texts.Any(t => t.Contains("training", StringComparison.Ordinal)))
                return null;
            var model = Index(texts, t => t is "model" or "models" or "model name" or "name"
                || (t.StartsWith("model", StringComparison.Ordinal)
                    && !t.Contains("version", StringComparison.Ordinal)
                    && !t.Contains("date", StringComparison.Ordinal)
                    && !t.Contains("replace", StringComparison.Ordinal)));
            var retirement = Index(texts, t => t.Contains("retire", StringComparison.Ordinal)
                || t.Contains("shutdown", StringComparison.Ordinal) || t.Contains("end of life", StringComparison.Ordinal));
            var deprecation = Index(texts, t => t.Contains("deprecat", StringComparison.Ordinal));
            if (model < 0 || (retirement < 0 && deprecation < 0))
                return null;
            var version = Index(texts, t => t.Contains("version", StringComparison.Ordinal)
                && !t.Contains("default", StringComparison.Ordinal) && !t.Contains("replace", StringComparison.Ordinal));
            var status = Index(texts, t => t.Contains("status", StringComparison.Ordinal)
                || t.Contains("lifecycle", StringComparison.Ordinal) || t == "stage");
            var release = Index(texts, t => t.Contains("release", StringComparison.Ordinal)
                || t.Contains("launch", StringComparison.Ordinal));
            var replacement = Index(texts, t => t.Contains("replace", StringComparison.Ordinal)
                || t.Contains("successor", StringComparison.Ordinal) || t.Contains("alternative", StringComparison.Ordinal));
            return new Columns(model, version, status, release, deprecation, retirement, replacement);
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
