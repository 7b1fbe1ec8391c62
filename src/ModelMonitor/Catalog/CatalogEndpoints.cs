using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ModelMonitor.Sources;
using ModelMonitor.Storage;

namespace ModelMonitor.Catalog;

/// The catalog over HTTP: model versions (current view, history with provenance, conflicts, aliases), change
/// events, and the sources' health. Read-only; authorization is added to the group by whoever wires it.
internal static class CatalogEndpoints
{
    private const int MaxChanges = 5000;

    public static void AddCatalog(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<Reconciler>();
    }

    public static RouteGroupBuilder MapCatalog(this WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("Catalog");

        api.MapGet("/models", ListModelsAsync)
            .WithName("ListModels")
            .WithSummary("Model versions in the catalog, filtered by provider, status and retirement date.");
        api.MapGet("/models/{provider}/{**model}", GetModelAsync)
            .WithName("GetModel")
            .WithSummary("One model version: current view, what each source says, conflicts, aliases, observation history and changes. Azure models take ?version=.");
        api.MapGet("/changes", ListChangesAsync)
            .WithName("ListChanges")
            .WithSummary("Change events recorded by reconciling, oldest first, since a date or instant (default: the last 7 days).");
        api.MapGet("/sources", ListSourcesAsync)
            .WithName("ListSources")
            .WithSummary("Configured sources with their health, last fetch, rows and last error.");
        return api;
    }

    private static async Task<Results<Ok<List<ModelSummary>>, ProblemHttpResult>> ListModelsAsync(
        MonitorDb db, string? provider, string? status, DateOnly? retiringBefore, CancellationToken cancellationToken)
    {
        var query = db.ModelVersions.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(provider))
            query = query.Where(m => m.Provider == provider);
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (!Enum.TryParse<LifecycleStatus>(status, ignoreCase: true, out var wanted) || !Enum.IsDefined(wanted) || int.TryParse(status, out _))
                return BadRequest($"status must be one of {string.Join(", ", Enum.GetNames<LifecycleStatus>().Select(n => n.ToLowerInvariant()))}, not '{status}'.");
            query = query.Where(m => m.Status == wanted);
        }
        if (retiringBefore is { } before)
            query = query.Where(m => m.RetiresOn != null && m.RetiresOn < before);
        var models = await query.OrderBy(m => m.Provider).ThenBy(m => m.Model).ThenBy(m => m.Version).ToListAsync(cancellationToken);
        return TypedResults.Ok(models.Select(ModelSummary.From).ToList());
    }

    private static async Task<Results<Ok<ModelDetail>, ProblemHttpResult>> GetModelAsync(
        MonitorDb db, string provider, string model, string? version, CancellationToken cancellationToken)
    {
        var candidates = await db.ModelVersions.AsNoTracking()
            .Where(m => m.Provider == provider && m.Model == model)
            .ToListAsync(cancellationToken);
        ModelVersion? current;
        if (version is not null)
            current = candidates.FirstOrDefault(m => m.Version == version);
        else if (candidates.Count > 1 && candidates.All(m => m.Version.Length > 0))
            return BadRequest($"{provider}/{model} has several versions ({string.Join(", ", candidates.Select(c => c.Version).Order())}); add ?version=.");
        else
            current = candidates.FirstOrDefault(m => m.Version.Length == 0) ?? candidates.SingleOrDefault();
        if (current is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Model not found",
                detail: version is null
                    ? $"The catalog has no model '{model}' for provider '{provider}'."
                    : $"The catalog has no model '{model}' version '{version}' for provider '{provider}'.");
        }

        var key = (current.Provider, current.Model, current.Version);
        var statements = await db.SourceStatements.AsNoTracking()
            .Where(s => s.Provider == key.Provider && s.Model == key.Model && s.Version == key.Version)
            .OrderBy(s => s.Authority).ThenBy(s => s.SourceName)
            .ToListAsync(cancellationToken);
        var history = await db.Observations.AsNoTracking()
            .Where(o => o.Provider == key.Provider && o.Model == key.Model && o.Version == key.Version)
            .OrderByDescending(o => o.FetchedAt).ThenBy(o => o.Id)
            .ToListAsync(cancellationToken);
        var changes = await db.ChangeEvents.AsNoTracking()
            .Where(c => c.Provider == key.Provider && c.Model == key.Model && c.Version == key.Version)
            .OrderBy(c => c.Id)
            .ToListAsync(cancellationToken);
        var aliases = await db.ModelAliases.AsNoTracking()
            .Where(a => a.Provider == key.Provider && (a.Target == key.Model || a.Alias == key.Model))
            .OrderBy(a => a.Alias).ThenBy(a => a.ValidFrom)
            .ToListAsync(cancellationToken);

        return TypedResults.Ok(new ModelDetail(
            ModelSummary.From(current),
            statements.Select(SourceStatementView.From).ToList(),
            Conflicts(statements),
            aliases.Select(a => new AliasPeriod(a.Alias, a.Target, a.ValidFrom, a.ValidTo, a.SourceName)).ToList(),
            history.Select(ObservationView.From).ToList(),
            changes.Select(ChangeView.From).ToList()));
    }

    private static async Task<Results<Ok<List<ChangeView>>, ProblemHttpResult>> ListChangesAsync(
        MonitorDb db, TimeProvider time, string? since, int? limit, CancellationToken cancellationToken)
    {
        DateTimeOffset from;
        if (string.IsNullOrWhiteSpace(since))
            from = time.GetUtcNow().AddDays(-7);
        else if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out from))
            return BadRequest($"since must be a date (2025-06-01) or an instant (2025-06-01T12:00:00Z), not '{since}'.");
        if (limit is < 1 or > MaxChanges)
            return BadRequest($"limit must be from 1 to {MaxChanges}, not {limit}.");
        var changes = await db.ChangeEvents.AsNoTracking()
            .Where(c => c.OccurredAt >= from)
            .OrderBy(c => c.Id)
            .Take(limit ?? MaxChanges)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(changes.Select(ChangeView.From).ToList());
    }

    private static async Task<Ok<List<SourceView>>> ListSourcesAsync(
        MonitorDb db, IOptions<SourcesOptions> options, IOptions<Scheduling.SchedulingOptions> scheduling, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var states = await db.Sources.AsNoTracking().ToDictionaryAsync(s => s.Name, StringComparer.OrdinalIgnoreCase, cancellationToken);
        var configured = options.Value.Sources.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s =>
        {
            states.TryGetValue(s.Name, out var state);
            return SourceView.From(s, state, s.IsActive(configuration), s.CronOr(scheduling.Value));
        });
        // Sources removed from configuration keep their history; list them too, inactive.
        var removed = states.Values.Where(s => options.Value.Find(s.Name) is null).OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => SourceView.Removed(s));
        return TypedResults.Ok(configured.Concat(removed).ToList());
    }

    // Where sources that state a field disagree on it: the catalog shows the winner, this shows the rest.
    private static List<Conflict> Conflicts(List<SourceStatement> statements)
    {
        var conflicts = new List<Conflict>();
        void Check(string field, Func<SourceStatement, string?> value)
        {
            var stated = statements.Select(s => (s, Value: value(s))).Where(x => x.Value is not null).ToList();
            if (stated.Select(x => x.Value).Distinct().Count() > 1)
                conflicts.Add(new Conflict(field, stated.Select(x => new ConflictValue(x.s.SourceName, x.s.Authority, x.Value!)).ToList()));
        }
        Check("retiresOn", s => s.RetiresOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Check("deprecatedOn", s => s.DeprecatedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Check("status", s => s.Status?.ToString().ToLowerInvariant());
        Check("replacements", s => s.Replacements.Count == 0 ? null : string.Join(", ", s.Replacements.Order(StringComparer.Ordinal)));
        return conflicts;
    }

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: detail);
}

public sealed record ModelSummary(
    string Provider, string Model, string? Version, LifecycleStatus? Status,
    DateOnly? ReleasedOn, DateOnly? DeprecatedOn, DateOnly? RetiresOn, bool RetiresOnIsEstimate, DatePrecision RetiresOnPrecision,
    string? RetiresOnSource, IReadOnlyList<string> Replacements, int? ContextWindow, decimal? InputCostPerMillionTokens,
    decimal? OutputCostPerMillionTokens, string? CurrentSource, DateTimeOffset FirstSeenAt, DateTimeOffset UpdatedAt, DateTimeOffset? VanishedAt)
{
    public static ModelSummary From(ModelVersion m) => new(
        m.Provider, m.Model, m.Version.Length == 0 ? null : m.Version, m.Status, m.ReleasedOn, m.DeprecatedOn, m.RetiresOn,
        m.RetiresOnIsEstimate, m.RetiresOnPrecision, m.RetiresOnSource, m.Replacements, m.ContextWindow, m.InputCostPerMillionTokens,
        m.OutputCostPerMillionTokens, m.CurrentSource, m.FirstSeenAt, m.UpdatedAt, m.VanishedAt);
}

public sealed record ModelDetail(
    ModelSummary Current, IReadOnlyList<SourceStatementView> Sources, IReadOnlyList<Conflict> Conflicts,
    IReadOnlyList<AliasPeriod> Aliases, IReadOnlyList<ObservationView> History, IReadOnlyList<ChangeView> Changes);

public sealed record SourceStatementView(
    string Source, SourceAuthority Authority, LifecycleStatus? Status, DateOnly? ReleasedOn, DateOnly? DeprecatedOn,
    DateOnly? RetiresOn, bool RetiresOnIsEstimate, DatePrecision RetiresOnPrecision, IReadOnlyList<string> Replacements,
    IReadOnlyList<string> Aliases, string? Section, string? Evidence, string Url, long SnapshotId, DateTimeOffset Since, DateTimeOffset? VanishedAt)
{
    public static SourceStatementView From(SourceStatement s) => new(
        s.SourceName, s.Authority, s.Status, s.ReleasedOn, s.DeprecatedOn, s.RetiresOn, s.RetiresOnIsEstimate, s.RetiresOnPrecision,
        s.Replacements, s.Aliases, s.Section, s.Evidence, s.Url, s.SnapshotId, s.UpdatedAt, s.VanishedAt);
}

public sealed record Conflict(string Field, IReadOnlyList<ConflictValue> Values);

public sealed record ConflictValue(string Source, SourceAuthority Authority, string Value);

public sealed record AliasPeriod(string Alias, string Target, DateTimeOffset ValidFrom, DateTimeOffset? ValidTo, string? Source);

public sealed record ObservationView(
    long Id, string Source, SourceAuthority Authority, string Url, DateTimeOffset FetchedAt, long SnapshotId, string? Section, string? Evidence,
    LifecycleStatus? Status, DateOnly? ReleasedOn, DateOnly? DeprecatedOn, DateOnly? RetiresOn, bool RetiresOnIsEstimate,
    DatePrecision RetiresOnPrecision, IReadOnlyList<string> Replacements, IReadOnlyList<string> Aliases, IReadOnlyList<string> Problems)
{
    public static ObservationView From(LifecycleObservation o) => new(
        o.Id, o.SourceName, o.Authority, o.Url, o.FetchedAt, o.SnapshotId, o.Section, o.Evidence, o.Status, o.ReleasedOn, o.DeprecatedOn,
        o.RetiresOn, o.RetiresOnIsEstimate, o.RetiresOnPrecision, o.Replacements, o.Aliases, o.Problems);
}

public sealed record ChangeView(
    long Id, DateTimeOffset OccurredAt, ChangeKind Kind, string Provider, string Model, string? Version,
    string? OldValue, string? NewValue, string? Source, long? SnapshotId, string? Evidence)
{
    public static ChangeView From(ChangeEvent c) => new(
        c.Id, c.OccurredAt, c.Kind, c.Provider, c.Model, c.Version.Length == 0 ? null : c.Version, c.OldValue, c.NewValue, c.SourceName, c.SnapshotId, c.Evidence);
}

public sealed record SourceView(
    string Name, string Provider, string Kind, string Url, bool Enabled, bool Active, string? Schedule, SourceAuthority? Authority,
    SourceHealth Health, DateTimeOffset? LastFetchAt, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastChangeAt, int? Rows,
    string? LastError, int ConsecutiveFailures)
{
    public static SourceView From(SourceDefinition s, SourceState? state, bool active, string schedule) => new(
        s.Name, s.Provider, s.Kind, s.DisplayUrl, s.Enabled, active, schedule, s.AuthorityValue,
        state?.Health ?? SourceHealth.Unknown, state?.LastFetchAt, state?.LastSuccessAt, state?.LastChangeAt, state?.LastRows,
        state?.LastError, state?.ConsecutiveFailures ?? 0);

    public static SourceView Removed(SourceState state) => new(
        state.Name, state.Provider, "removed", "", false, false, null, null, state.Health, state.LastFetchAt, state.LastSuccessAt,
        state.LastChangeAt, state.LastRows, state.LastError, state.ConsecutiveFailures);
}
