using Microsoft.EntityFrameworkCore;
using ModelMonitor.Catalog;
using ModelMonitor.Pins.Auth;
using ModelMonitor.Storage;
using Npgsql;

namespace ModelMonitor.Pins;

/// Teams, apps and their pins: what the API, the CLI and the manifest sync share.
public sealed class PinRegistry(MonitorDb db, NpgsqlDataSource dataSource, PinResolver resolver, TimeProvider time)
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

    public sealed record SaveResult(bool Created, AppResponse App);

    /// Creates or replaces an app and its whole pin set: one batch, so one round trip and one (implicit)
    /// transaction. Registration is the API's hot path, hence plain SQL here rather than change tracking.
    public async Task<SaveResult> SaveAppAsync(long teamId, string team, string name, AppSpec spec, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // One connection for the catalog read and the write: one pool rent (and one reset) per registration.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Resolve first: it only reads, and keeps the writing transaction short.
        var resolved = await resolver.ResolveAsync(spec.Pins, DateOnly.FromDateTime(now.UtcDateTime), cancellationToken, connection);

        await using var batch = new NpgsqlBatch(connection);
        // One statement whatever the race: two concurrent PUTs of a new app both end with one row, and the
        // row lock it takes orders them.
        batch.BatchCommands.Add(Command("""
            INSERT INTO apps (team_id, name, description, repository, manifest_path, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)
            ON CONFLICT (team_id, name) DO UPDATE
               SET description = excluded.description, repository = excluded.repository,
                   manifest_path = excluded.manifest_path, updated_at = excluded.updated_at
            RETURNING created_at, manifest_sha, manifest_error, manifest_synced_at, (xmax = 0) AS created
            """, P(teamId), P(name), P(spec.Description), P(spec.Repository), P(spec.ManifestPath), P(now)));
        AddPinCommands(batch, teamId, name, spec.Pins, resolved, now);
        // Prepared once per pooled connection (Npgsql keeps them across rents): no parse and plan per request.
        await batch.PrepareAsync(cancellationToken);

        DateTimeOffset createdAt;
        string? sha, error;
        DateTimeOffset? syncedAt;
        bool created;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            createdAt = reader.GetFieldValue<DateTimeOffset>(0);
            sha = reader.IsDBNull(1) ? null : reader.GetString(1);
            error = reader.IsDBNull(2) ? null : reader.GetString(2);
            syncedAt = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3);
            created = reader.GetBoolean(4);
            // Run the remaining statements to the end, so that any error surfaces here.
            while (await reader.NextResultAsync(cancellationToken))
            {
            }
        }

        var response = new AppResponse(team, name, spec.Description, spec.Repository, spec.ManifestPath,
            ManifestOf(spec.Repository, sha, error, syncedAt),
            spec.Pins.Select((p, i) => ToResponse(p, resolved[i].Resolution)).ToList(),
            createdAt, now);
        return new SaveResult(created, response);
    }

    /// Replaces the pins of app {team}/{name} with the given set: a delete and one multi-row insert, to run in
    /// the batch of whatever else changes the app (its transaction).
    internal static void AddPinCommands(NpgsqlBatch batch, long teamId, string name, IReadOnlyList<PinSpec> pins,
        IReadOnlyList<PinResolver.Resolved> resolved, DateTimeOffset now)
    {
        batch.BatchCommands.Add(Command("DELETE FROM pins WHERE app_id = (SELECT id FROM apps WHERE team_id = $1 AND name = $2)", P(teamId), P(name)));
        if (pins.Count == 0)
            return;
        batch.BatchCommands.Add(Command("""
            INSERT INTO pins (app_id, provider, model, version, platform, region, environment,
                              monthly_input_tokens, monthly_output_tokens, resolved_model, resolved_at, created_at)
            SELECT a.id, p.provider, p.model, p.version, p.platform, p.region, p.environment,
                   p.input_tokens, p.output_tokens, p.resolved_model, CASE WHEN p.resolved_model IS NULL THEN NULL ELSE $3 END, $3
            FROM apps a,
                 unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::text[])
                   WITH ORDINALITY AS p(provider, model, version, platform, region, environment, input_tokens, output_tokens, resolved_model, n)
            WHERE a.team_id = $1 AND a.name = $2
            ORDER BY p.n
            """,
            P(teamId), P(name), P(now),
            P(pins.Select(p => p.Provider).ToArray()),
            P(pins.Select(p => p.Model).ToArray()),
            P(pins.Select(p => p.Version).ToArray()),
            P(pins.Select(p => p.Platform).ToArray()),
            P(pins.Select(p => p.Region).ToArray()),
            P(pins.Select(p => p.Environment).ToArray()),
            P(pins.Select(p => p.MonthlyInputTokens).ToArray()),
            P(pins.Select(p => p.MonthlyOutputTokens).ToArray()),
            // Kept so that a later re-point of the alias shows against what the team registered.
            P(resolved.Select(r => r.AliasTarget).ToArray())));
    }

    internal static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    // Typed by T even when null, so that a prepared statement's parameter types never change.
    internal static NpgsqlParameter<T> P<T>(T value) => new() { TypedValue = value };

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

    private static ManifestState? ManifestOf(string? repository, string? sha, string? error, DateTimeOffset? syncedAt) =>
        repository is null && sha is null && error is null ? null : new ManifestState(sha, error, syncedAt);

    public static PinResponse ToResponse(PinSpec pin, PinResolution resolution) =>
        new(pin.Provider, pin.Model, pin.Version.Length == 0 ? null : pin.Version, pin.Platform, pin.Region,
            pin.Environment.Length == 0 ? null : pin.Environment, pin.MonthlyInputTokens, pin.MonthlyOutputTokens, resolution);
}
