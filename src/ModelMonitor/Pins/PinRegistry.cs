using Microsoft.EntityFrameworkCore;
using ModelMonitor.Catalog;
using ModelMonitor.Pins.Auth;
using ModelMonitor.Storage;
using Npgsql;

namespace ModelMonitor.Pins;

/// Teams, and reading apps with their pins resolved as of today; registration is AppRegistration.
public sealed class PinRegistry(MonitorDb db, PinResolver resolver, TimeProvider time)
{
    public const int MaxEventsPerPin = 20;

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// Returns the team's token (shown once), or null when the name is taken.
    public async Task<string?> CreateTeamAsync(TeamSpec spec, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var token = TeamTokens.Generate();
        db.Teams.Add(new Team
        {
            Name = spec.Name,
            Emails = spec.Emails.ToList(),
            EscalationEmails = spec.EscalationEmails.ToList(),
            TokenHash = TeamTokens.Hash(token),
            TokenIssuedAt = now,
            CreatedAt = now,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return null;
        }
        return token;
    }

    /// Replaces the team's token; the old one stops working at once. Null when there is no such team.
    public async Task<string?> RotateTokenAsync(string team, CancellationToken cancellationToken)
    {
        var token = TeamTokens.Generate();
        var hash = TeamTokens.Hash(token);
        var now = time.GetUtcNow();
        var updated = await db.Teams.Where(t => t.Name == team)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.TokenHash, hash).SetProperty(t => t.TokenIssuedAt, now), cancellationToken);
        return updated == 0 ? null : token;
    }

    public Task<long?> FindTeamIdAsync(string team, CancellationToken cancellationToken) =>
        db.Teams.Where(t => t.Name == team).Select(t => (long?)t.Id).FirstOrDefaultAsync(cancellationToken);

    public async Task<IReadOnlyList<AppSummary>> ListAppsAsync(long teamId, CancellationToken cancellationToken) =>
        await db.Apps.AsNoTracking()
            .Where(a => a.TeamId == teamId)
            .OrderBy(a => a.Name)
            .Select(a => new AppSummary(a.Name, a.Description, a.Repository, a.Pins.Count, a.ManifestError, a.UpdatedAt))
            .ToListAsync(cancellationToken);

    public async Task<bool> DeleteAppAsync(long teamId, string name, CancellationToken cancellationToken) =>
        await db.Apps.Where(a => a.TeamId == teamId && a.Name == name).ExecuteDeleteAsync(cancellationToken) > 0;

    private sealed record LoadedApp(App App, List<Pin> Pins);

    private async Task<LoadedApp?> LoadAsync(long teamId, string name, CancellationToken cancellationToken)
    {
        var app = await db.Apps.AsNoTracking().FirstOrDefaultAsync(a => a.TeamId == teamId && a.Name == name, cancellationToken);
        if (app is null)
            return null;
        var pins = await db.Pins.AsNoTracking().Where(p => p.AppId == app.Id).OrderBy(p => p.Id).ToListAsync(cancellationToken);
        return new LoadedApp(app, pins);
    }

    public async Task<AppResponse?> GetAppAsync(long teamId, string team, string name, CancellationToken cancellationToken)
    {
        if (await LoadAsync(teamId, name, cancellationToken) is not { } loaded)
            return null;
        var (pins, resolved) = await ResolveStoredAsync(loaded.Pins, cancellationToken);
        return ToResponse(team, loaded.App, pins.Select((p, i) => ToResponse(p, resolved[i].Resolution)).ToList());
    }

    public async Task<ImpactResponse?> GetImpactAsync(long teamId, string team, string name, CancellationToken cancellationToken)
    {
        if (await LoadAsync(teamId, name, cancellationToken) is not { } loaded)
            return null;
        var (pins, resolved) = await ResolveStoredAsync(loaded.Pins, cancellationToken);

        // The events of every model a pin points at (the alias and its target for an alias pin), for as long
        // as the app pins it: that is what "open" means here. "Model added" is news, not impact.
        var providers = resolved.Select(r => r.CatalogProvider).Distinct().ToArray();
        var models = pins.Select(p => p.Model).Concat(resolved.Select(r => r.AliasTarget).OfType<string>()).Distinct().ToArray();
        var events = await db.ChangeEvents.AsNoTracking()
            .Where(e => providers.Contains(e.Provider) && models.Contains(e.Model) && e.Kind != ChangeKind.ModelAdded)
            .OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(MaxEventsPerPin * Math.Max(1, pins.Count))
            .ToListAsync(cancellationToken);

        var impacts = new List<PinImpact>();
        for (var i = 0; i < pins.Count; i++)
        {
            var pin = pins[i];
            var r = resolved[i];
            var mine = events
                .Where(e => e.Provider == r.CatalogProvider
                            && ((e.Model == pin.Model && (e.Version == pin.Version || e.Version.Length == 0))
                                || (r.AliasTarget is not null && e.Model == r.AliasTarget && e.Version.Length == 0)))
                .Select(e => new ImpactEvent(e.OccurredAt, e.Kind, e.Model, e.Version.Length == 0 ? null : e.Version, e.OldValue, e.NewValue, e.SourceName))
                .ToList();
            var registered = loaded.Pins[i].ResolvedModel;
            if (registered is not null && r.AliasTarget is not null && registered != r.AliasTarget
                && !mine.Any(e => e.Kind == ChangeKind.AliasRepointed && e.NewValue == r.AliasTarget))
                mine.Insert(0, new ImpactEvent(r.AliasSince ?? time.GetUtcNow(), ChangeKind.AliasRepointed, pin.Model, null, registered, r.AliasTarget, null));
            impacts.Add(new PinImpact(ToResponse(pin, r.Resolution), mine.Take(MaxEventsPerPin).ToList()));
        }
        return new ImpactResponse(team, name, Today, impacts);
    }

    /// Resolves stored pins as of today, and says so when an alias pin now points elsewhere than at registration.
    private async Task<(List<PinSpec> Pins, IReadOnlyList<PinResolver.Resolved> Resolved)> ResolveStoredAsync(List<Pin> stored, CancellationToken cancellationToken)
    {
        var pins = stored.Select(p => new PinSpec(p.Provider, p.Model, p.Version, p.Platform, p.Region, p.Environment, p.MonthlyInputTokens, p.MonthlyOutputTokens)).ToList();
        var resolved = (await resolver.ResolveAsync(pins, Today, cancellationToken)).ToList();
        for (var i = 0; i < stored.Count; i++)
        {
            var before = stored[i].ResolvedModel;
            if (before is not null && resolved[i].AliasTarget is { } now && now != before)
            {
                var r = resolved[i];
                resolved[i] = r with
                {
                    Resolution = r.Resolution with
                    {
                        Warnings = [$"alias '{stored[i].Model}' now points to '{now}'; it pointed to '{before}' when this pin was registered ({stored[i].ResolvedAt:yyyy-MM-dd}).", .. r.Resolution.Warnings],
                    },
                };
            }
        }
        return (pins, resolved);
    }

    private static AppResponse ToResponse(string team, App app, IReadOnlyList<PinResponse> pins) =>
        new(team, app.Name, app.Description, app.Repository, app.ManifestPath,
            ManifestOf(app.Repository, app.ManifestSha, app.ManifestError, app.ManifestSyncedAt), pins, app.CreatedAt, app.UpdatedAt);

    internal static ManifestState? ManifestOf(string? repository, string? sha, string? error, DateTimeOffset? syncedAt) =>
        repository is null && sha is null && error is null ? null : new ManifestState(sha, error, syncedAt);

    public static PinResponse ToResponse(PinSpec pin, PinResolution resolution) =>
        new(pin.Provider, pin.Model, pin.Version.Length == 0 ? null : pin.Version, pin.Platform, pin.Region,
            pin.Environment.Length == 0 ? null : pin.Environment, pin.MonthlyInputTokens, pin.MonthlyOutputTokens, resolution);
}
