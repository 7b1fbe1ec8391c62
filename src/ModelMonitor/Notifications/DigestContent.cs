using Microsoft.EntityFrameworkCore;
using ModelMonitor.Storage;

namespace ModelMonitor.Notifications;

/// What a digest says, read back from its notifications: one item per pin, most urgent first.
internal sealed record DigestContent(long DigestId, long RunId, DateTimeOffset CreatedAt, DigestTeam? Team, IReadOnlyList<DigestItem> Items)
{
    public bool IsOperators => Team is null;
    public bool Escalate => Items.Any(i => i.Escalate && !i.Informational);
}

internal sealed record DigestTeam(string Name, IReadOnlyList<string> Emails, IReadOnlyList<string> EscalationEmails);

internal sealed record DigestItem(
    string? App,
    string? AppDescription,
    string Provider,
    string Model,
    string Version,
    string Environment,
    string Platform,
    DateOnly? RetiresOn,
    bool IsEstimate,
    bool MonthPrecision,
    int? DaysLeft,
    string? Successor,
    string Verdict,
    bool Escalate,
    bool Informational,
    IReadOnlyList<DigestReason> Reasons)
{
    public bool IsRetired => Reasons.Any(r => r.Reason == ModelMonitor.Notifications.Reasons.Retired) || DaysLeft < 0;

    // Retired first, then by days left; undated after dated; informational last; not-ready before the rest.
    public (int, int, int, int) Urgency =>
        (Informational ? 1 : 0, IsRetired ? 0 : 1, DaysLeft ?? int.MaxValue, Verdict == Readiness.NotReady ? 0 : 1);
}

internal sealed record DigestReason(string Reason, int? Milestone, string? Detail);

internal sealed class DigestLoader(MonitorDb db)
{
    public async Task<IReadOnlyList<DigestContent>> LoadAsync(IReadOnlyCollection<long> digestIds, CancellationToken cancellationToken)
    {
        var ids = digestIds.ToList();
        // Each digest covers its team's runs after the team's previous digest, up to its own.
        var digests = await db.Set<Digest>().AsNoTracking().Where(d => ids.Contains(d.Id))
            .Select(d => new
            {
                d.Id,
                d.RunId,
                d.TeamId,
                d.CreatedAt,
                After = db.Set<Digest>().Where(p => p.TeamId == d.TeamId && p.RunId < d.RunId).Max(p => (long?)p.RunId) ?? 0,
            })
            .ToListAsync(cancellationToken);
        if (digests.Count == 0)
            return [];
        var teamKeys = digests.Select(d => d.TeamId ?? 0).ToArray();
        var after = digests.Select(d => d.After).ToArray();
        var upTo = digests.Select(d => d.RunId).ToArray();
        var notifications = await db.Set<Notification>().FromSql($"""
            SELECT n.* FROM unnest({teamKeys}, {after}, {upTo}) AS r(team_id, after_run, up_to_run)
            JOIN notifications n ON n.run_id > r.after_run AND n.run_id <= r.up_to_run
                AND (n.team_id = r.team_id OR (r.team_id = 0 AND n.team_id IS NULL))
            """).AsNoTracking().OrderBy(n => n.Id).ToListAsync(cancellationToken);
        var appIds = notifications.Where(n => n.AppId != null).Select(n => n.AppId!.Value).Distinct().ToList();
        var apps = await db.Apps.AsNoTracking().Where(a => appIds.Contains(a.Id))
            .Select(a => new { a.Id, a.Name, a.Description }).ToDictionaryAsync(a => a.Id, cancellationToken);
        var rows = notifications.Select(n => new
        {
            Notification = n,
            Digest = digests.First(d => (d.TeamId ?? 0) == (n.TeamId ?? 0) && n.RunId > d.After && n.RunId <= d.RunId).Id,
            AppName = n.AppId is { } appId && apps.TryGetValue(appId, out var app) ? app.Name : null,
            AppDescription = n.AppId is { } id && apps.TryGetValue(id, out var a) ? a.Description : null,
        }).ToList();
        var teamIds = digests.Where(d => d.TeamId != null).Select(d => d.TeamId!.Value).Distinct().ToList();
        var teams = await db.Teams.AsNoTracking().Where(t => teamIds.Contains(t.Id))
            .Select(t => new { t.Id, t.Name, t.Emails, t.EscalationEmails })
            .ToDictionaryAsync(t => t.Id, cancellationToken);

        var byDigest = rows.ToLookup(r => r.Digest);
        return digests.OrderBy(d => d.Id).Select(d =>
        {
            DigestTeam? team = null;
            if (d.TeamId is { } teamId)
                team = teams.TryGetValue(teamId, out var t) ? new DigestTeam(t.Name, t.Emails, t.EscalationEmails) : new DigestTeam($"#{teamId}", [], []);
            var items = byDigest[d.Id]
                .GroupBy(r => (r.Notification.AppId, r.Notification.Provider, r.Notification.Model, r.Notification.Version, r.Notification.Environment))
                .Select(g =>
                {
                    // Facts from the newest item about the pin; reasons from all of them.
                    var latest = g.Last();
                    var n = latest.Notification;
                    return new DigestItem(
                        latest.AppName, latest.AppDescription, n.Provider, n.Model, n.Version, n.Environment, n.Platform,
                        n.RetiresOn, n.IsEstimate, n.Precision == "Month", n.DaysLeft, n.Successor, n.Verdict,
                        g.Any(x => x.Notification.Escalate),
                        g.All(x => x.Notification.Informational),
                        g.Select(x => new DigestReason(x.Notification.Reason, x.Notification.Milestone, x.Notification.Detail)).ToList());
                })
                .OrderBy(i => i.Urgency)
                .ThenBy(i => i.App, StringComparer.Ordinal)
                .ThenBy(i => i.Model, StringComparer.Ordinal)
                .ToList();
            return new DigestContent(d.Id, d.RunId, d.CreatedAt, team, items);
        }).ToList();
    }
}
