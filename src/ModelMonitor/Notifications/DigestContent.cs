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
        var digests = await db.Set<Digest>().AsNoTracking().Where(d => ids.Contains(d.Id)).ToListAsync(cancellationToken);
        var rows = await (
            from n in db.Set<Notification>().AsNoTracking()
            where n.DigestId != null && ids.Contains(n.DigestId.Value)
            join a in db.Apps on n.AppId equals a.Id into apps
            from a in apps.DefaultIfEmpty()
            orderby n.Id
            select new { Notification = n, AppName = a == null ? null : a.Name, AppDescription = a == null ? null : a.Description })
            .ToListAsync(cancellationToken);
        var teamIds = digests.Where(d => d.TeamId != null).Select(d => d.TeamId!.Value).Distinct().ToList();
        var teams = await db.Teams.AsNoTracking().Where(t => teamIds.Contains(t.Id))
            .Select(t => new { t.Id, t.Name, t.Emails, t.EscalationEmails })
            .ToDictionaryAsync(t => t.Id, cancellationToken);

        var byDigest = rows.ToLookup(r => r.Notification.DigestId!.Value);
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
