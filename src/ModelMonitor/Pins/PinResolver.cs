using ModelMonitor.Catalog;
using Npgsql;

namespace ModelMonitor.Pins;

/// Resolves pins against the catalog: an exact version (Azure: name + version), else an alias's current
/// target, else unknown with "did you mean" suggestions. Never rejects a pin: the catalog may simply not
/// have caught up with a new model yet. Reads only: one query for any number of known pins, three more when
/// some are unknown (for the suggestions).
public sealed class PinResolver(ScopedConnection connection)
{
    public sealed record Resolved(PinResolution Resolution, string? AliasTarget, DateTimeOffset? AliasSince, string CatalogProvider);

    private sealed record Entry(string Provider, string Model, string Version, LifecycleStatus? Status, DateOnly? RetiresOn, bool IsEstimate, List<string> Replacements);

    private sealed record AliasRow(string Provider, string Alias, string Target, DateTimeOffset ValidFrom);

    public async Task<IReadOnlyList<Resolved>> ResolveAsync(IReadOnlyList<PinSpec> pins, DateOnly today, CancellationToken cancellationToken)
    {
        if (pins.Count == 0)
            return [];
        var providers = pins.SelectMany(p => p.Platform is null ? [p.Provider] : new[] { p.Platform, p.Provider }).Distinct().ToArray();
        var models = pins.Select(p => p.Model).Distinct().ToArray();

        var (entries, aliases) = await LoadAsync(providers, models, cancellationToken);
        var exact = new Dictionary<(string, string, string), Entry>();
        foreach (var entry in entries)
            exact[(entry.Provider, entry.Model, entry.Version)] = entry;

        var results = new Resolved?[pins.Count];
        var unknown = new List<int>();
        for (var i = 0; i < pins.Count; i++)
        {
            results[i] = TryResolve(pins[i], exact, aliases, entries, today);
            if (results[i] is null)
                unknown.Add(i);
        }
        if (unknown.Count > 0)
            await DescribeUnknownAsync(pins, unknown, results, entries, cancellationToken);
        return results.Select(r => r!).ToList();
    }

    // The versions named by the pins and the current aliases among them with their targets' versions, in one
    // round trip: registration is the API's hot path, and this is its only catalog read.
    private const string CatalogSql = """
        SELECT m.provider, m.model, m.version, m.status, m.retires_on, m.retires_on_is_estimate, m.replacements,
               NULL::text AS alias, NULL::timestamptz AS valid_from, true AS described
        FROM model_versions m
        WHERE m.provider = ANY($1) AND m.model = ANY($2)
        UNION ALL
        SELECT a.provider, a.target, coalesce(m.version, ''), m.status, m.retires_on, coalesce(m.retires_on_is_estimate, false),
               coalesce(m.replacements, '{}'), a.alias, a.valid_from, m.id IS NOT NULL
        FROM model_aliases a
        LEFT JOIN model_versions m ON m.provider = a.provider AND m.model = a.target AND m.version = ''
        WHERE a.valid_to IS NULL AND a.provider = ANY($1) AND a.alias = ANY($2)
        """;

    private async Task<(List<Entry> Entries, Dictionary<(string, string), AliasRow> Aliases)> LoadAsync(string[] providers, string[] models,
        CancellationToken cancellationToken)
    {
        var entries = new List<Entry>();
        var aliases = new Dictionary<(string, string), AliasRow>();
        await using var command = new NpgsqlCommand(CatalogSql, await connection.GetAsync(cancellationToken))
        {
            Parameters = { AppRegistration.P(providers), AppRegistration.P(models) },
        };
        // Prepared once per pooled connection (Npgsql keeps it across rents).
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var provider = reader.GetString(0);
            var model = reader.GetString(1);
            if (!reader.IsDBNull(7))
            {
                aliases[(provider, reader.GetString(7))] = new AliasRow(provider, reader.GetString(7), model, reader.GetFieldValue<DateTimeOffset>(8));
                // A target the catalog does not describe yet comes back without its version row.
                if (!reader.GetBoolean(9))
                    continue;
            }
            entries.Add(new Entry(
                provider,
                model,
                reader.GetString(2),
                reader.IsDBNull(3) ? null : Enum.Parse<LifecycleStatus>(reader.GetString(3)),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateOnly>(4),
                reader.GetBoolean(5),
                [.. reader.GetFieldValue<string[]>(6)]));
        }
        return (entries, aliases);
    }

    private static Resolved? TryResolve(PinSpec pin, Dictionary<(string, string, string), Entry> exact,
        Dictionary<(string, string), AliasRow> aliases, List<Entry> entries, DateOnly today)
    {
        var warnings = new List<string>();
        foreach (var provider in pin.Platform is null || pin.Platform == pin.Provider ? [pin.Provider] : new[] { pin.Platform, pin.Provider })
        {
            if (provider != pin.CatalogProvider)
                warnings.Add($"'{pin.Model}' is not in the catalog for {pin.CatalogProvider}; this is {provider}'s lifecycle, and dates on {pin.CatalogProvider} can differ.");
            if (exact.TryGetValue((provider, pin.Model, pin.Version), out var entry))
                return new Resolved(Describe(entry, today, warnings, []), null, null, provider);
            if (pin.Version.Length == 0 && aliases.TryGetValue((provider, pin.Model), out var alias))
            {
                if (exact.TryGetValue((provider, alias.Target, ""), out var target))
                    return new Resolved(Describe(target, today, warnings, []) with { ResolvedModel = alias.Target }, alias.Target, alias.ValidFrom, provider);
                warnings.Add($"'{pin.Model}' is an alias of '{alias.Target}', which the catalog does not describe yet.");
                return new Resolved(Unknown(warnings, []) with { ResolvedModel = alias.Target }, alias.Target, alias.ValidFrom, provider);
            }
            // Azure lists a model once per version: name the versions rather than guess one.
            var versions = entries.Where(e => e.Provider == provider && e.Model == pin.Model && e.Version.Length > 0)
                .OrderByDescending(e => e.Version, StringComparer.Ordinal).ToList();
            if (versions.Count > 0)
            {
                var known = string.Join(", ", versions.Select(v => v.Version));
                warnings.Add(pin.Version.Length == 0
                    ? $"{provider} lists '{pin.Model}' by version; set version to one of: {known}."
                    : $"{provider} has no version '{pin.Version}' of '{pin.Model}'; known versions: {known}.");
                return new Resolved(Unknown(warnings, versions.Take(3).Select(v => new PinSuggestion(v.Model, v.Version)).ToList()), null, null, provider);
            }
            warnings.Clear();
        }
        return null;
    }

    private async Task DescribeUnknownAsync(IReadOnlyList<PinSpec> pins, List<int> unknown, Resolved?[] results, List<Entry> entries, CancellationToken cancellationToken)
    {
        var providers = unknown.Select(i => pins[i].CatalogProvider).Distinct().ToArray();
        // Every id (versions and current aliases) of the providers concerned, and the provider names: one query.
        var knownProviders = new List<string>();
        var candidates = new List<(string Provider, PinSuggestion Suggestion)>();
        await using (var command = new NpgsqlCommand(CandidatesSql, await connection.GetAsync(cancellationToken)) { Parameters = { AppRegistration.P(providers) } })
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.IsDBNull(1))
                    knownProviders.Add(reader.GetString(0));
                else
                    candidates.Add((reader.GetString(0), new PinSuggestion(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2))));
            }
        }
        var byProvider = candidates.ToLookup(c => c.Provider, c => c.Suggestion);

        foreach (var i in unknown)
        {
            var pin = pins[i];
            var provider = pin.CatalogProvider;
            var warnings = new List<string>();
            if (!knownProviders.Contains(provider))
            {
                var closest = knownProviders.OrderBy(p => Suggestions.Distance(p, provider)).ThenBy(p => p, StringComparer.Ordinal).First();
                warnings.Add($"'{provider}' is not a provider Monitor knows (known: {string.Join(", ", knownProviders.Order(StringComparer.Ordinal))}); did you mean '{closest}'?");
            }
            var suggestions = Suggestions.Best(pin.Model, pin.Version, byProvider[provider]);
            var what = pin.Version.Length == 0 ? $"'{pin.Model}'" : $"'{pin.Model}' version '{pin.Version}'";
            warnings.Add(suggestions.Count == 0
                ? $"{what} is not in the catalog for {provider}; accepted, and it will resolve once a source lists it."
                : $"{what} is not in the catalog for {provider}; did you mean {string.Join(", ", suggestions.Select(Display))}?");
            results[i] = new Resolved(Unknown(warnings, suggestions), null, null, provider);
        }
    }

    private const string CandidatesSql = """
        SELECT name, NULL, NULL FROM providers
        UNION ALL
        SELECT provider, model, nullif(version, '') FROM model_versions WHERE provider = ANY($1)
        UNION ALL
        SELECT provider, alias, NULL FROM model_aliases WHERE valid_to IS NULL AND provider = ANY($1)
        """;

    private static string Display(PinSuggestion s) => s.Version is null ? $"'{s.Model}'" : $"'{s.Model}' version '{s.Version}'";

    private static PinResolution Unknown(List<string> warnings, IReadOnlyList<PinSuggestion> suggestions) =>
        new(PinStatus.Unknown, null, null, null, null, null, warnings.ToList(), suggestions);

    private static PinResolution Describe(Entry entry, DateOnly today, List<string> warnings, IReadOnlyList<PinSuggestion> suggestions)
    {
        var firm = entry.RetiresOn is not null && !entry.IsEstimate;
        // A firm date that has passed is the fact, even if the catalog's status has not caught up.
        var status = firm && entry.RetiresOn <= today ? PinStatus.Retired
            : entry.Status switch
            {
                LifecycleStatus.Preview => PinStatus.Preview,
                LifecycleStatus.Active => PinStatus.Active,
                LifecycleStatus.Deprecated => PinStatus.Deprecated,
                LifecycleStatus.Legacy => PinStatus.Legacy,
                LifecycleStatus.Retired => PinStatus.Retired,
                // No status stated: a scheduled retirement means deprecated; listed without one means in service.
                _ => entry.RetiresOn is not null ? PinStatus.Deprecated : PinStatus.Active,
            };
        var successor = entry.Replacements.FirstOrDefault();
        var all = warnings.ToList();
        if (status == PinStatus.Retired)
            all.Add($"'{entry.Model}' is retired{(entry.RetiresOn is { } on ? $" since {on:yyyy-MM-dd}" : "")}: requests to it fail{(successor is null ? "" : $"; move to '{successor}'")}.");
        return new PinResolution(
            status,
            null,
            entry.RetiresOn,
            entry.RetiresOn is null ? null : entry.IsEstimate ? RetirementKind.Estimate : RetirementKind.Firm,
            entry.RetiresOn is { } date ? date.DayNumber - today.DayNumber : null,
            successor,
            all,
            suggestions);
    }
}
