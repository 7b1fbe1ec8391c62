using Npgsql;

namespace ModelMonitor.Pins;

/// Creates or replaces an app with its whole pin set: the API's hot path (PUT app), also used by
/// `pins import`. Plain SQL on the shared data source, no change tracking: one catalog read and one
/// batch of writes on the request's connection, with statements prepared once per pooled connection.
public sealed class AppRegistration(ScopedConnection connection, PinResolver resolver, TimeProvider time)
{
    public sealed record SaveResult(bool Created, AppResponse App);

    /// The team's id by name, for the admin (a team token carries its own).
    public async Task<long?> FindTeamIdAsync(string team, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT id FROM teams WHERE name = $1", await connection.GetAsync(cancellationToken)) { Parameters = { P(team) } };
        return await command.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }

    /// The app and its pins in one batch: one round trip and one (implicit) transaction.
    public async Task<SaveResult> SaveAsync(long teamId, string team, string name, AppSpec spec, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Resolve first: it only reads, and keeps the writing transaction short.
        var resolved = await resolver.ResolveAsync(spec.Pins, DateOnly.FromDateTime(now.UtcDateTime), cancellationToken);

        await using var batch = new NpgsqlBatch(await connection.GetAsync(cancellationToken));
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
            PinRegistry.ManifestOf(spec.Repository, sha, error, syncedAt),
            spec.Pins.Select((p, i) => PinRegistry.ToResponse(p, resolved[i].Resolution)).ToList(),
            createdAt, now);
        return new SaveResult(created, response);
    }

    /// Replaces the pins of app {team}/{name} with the given set, to run in the batch of whatever else changes
    /// the app (its transaction). Pins are matched by their key, so a pin that stays keeps its id — and with it
    /// its readiness, waivers, regression runs and sent notifications; only pins no longer listed are deleted.
    internal static void AddPinCommands(NpgsqlBatch batch, long teamId, string name, IReadOnlyList<PinSpec> pins,
        IReadOnlyList<PinResolver.Resolved> resolved, DateTimeOffset now)
    {
        // The key columns, once per statement (a parameter belongs to one command).
        var (providers, models, versions) = (pins.Select(p => p.Provider).ToArray(), pins.Select(p => p.Model).ToArray(), pins.Select(p => p.Version).ToArray());
        var (platforms, regions, environments) = (pins.Select(p => p.Platform).ToArray(), pins.Select(p => p.Region).ToArray(), pins.Select(p => p.Environment).ToArray());
        batch.BatchCommands.Add(Command("""
            DELETE FROM pins
            WHERE app_id = (SELECT id FROM apps WHERE team_id = $1 AND name = $2)
              AND NOT EXISTS (
                SELECT 1 FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                         AS k(provider, model, version, platform, region, environment)
                WHERE k.provider = pins.provider AND k.model = pins.model AND k.version = pins.version
                  AND k.platform IS NOT DISTINCT FROM pins.platform AND k.region IS NOT DISTINCT FROM pins.region
                  AND k.environment = pins.environment)
            """, P(teamId), P(name), P(providers), P(models), P(versions), P(platforms), P(regions), P(environments)));
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
            ON CONFLICT (app_id, provider, model, version, platform, region, environment) DO UPDATE
               SET monthly_input_tokens = excluded.monthly_input_tokens, monthly_output_tokens = excluded.monthly_output_tokens,
                   resolved_model = excluded.resolved_model,
                   resolved_at = CASE WHEN pins.resolved_model IS NOT DISTINCT FROM excluded.resolved_model THEN pins.resolved_at ELSE excluded.resolved_at END
            """,
            P(teamId), P(name), P(now), P(providers), P(models), P(versions), P(platforms), P(regions), P(environments),
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

}
