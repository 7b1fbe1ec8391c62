using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ModelMonitor.Sources.GitHub;
using ModelMonitor.Storage;
using Octokit;

namespace ModelMonitor.Notifications;

/// Keeps one issue per pinned model in an app's repository: "Model retirement: gpt-4-0613 on 2025-06-06".
/// The issue is found again by a hidden marker in its body (so a lost issue number, or a crash after creating
/// it, never opens a second one), updated as the facts change, and closed when the app stops pinning the model.
internal sealed class GitHubIssueChannel(IServiceScopeFactory scopes, GitHubClientFactory clients, IOptions<ReportLinkOptions> links)
{
    public const string Label = "model-retirement";

    /// Brings the issue in line with its row. Returns null when done, else the error to retry on.
    public async Task<string?> ApplyAsync(long issueId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MonitorDb>();
        var issue = await db.Set<GitHubIssue>().FirstOrDefaultAsync(g => g.Id == issueId, cancellationToken);
        if (issue is null)
            return null;
        var parts = issue.Repository.Split('/');
        if (parts.Length != 2 || parts.Any(p => p.Length == 0))
            return $"'{issue.Repository}' is not an owner/name repository";
        var app = await db.Apps.AsNoTracking().Where(a => a.Id == issue.AppId).Select(a => new { a.Name, Team = a.Team!.Name }).FirstOrDefaultAsync(cancellationToken);
        var facts = await db.Set<Notification>().AsNoTracking()
            .Where(n => n.AppId == issue.AppId && n.Provider == issue.Provider && n.Model == issue.Model && n.Version == issue.Version && n.Environment == issue.Environment)
            .OrderByDescending(n => n.Id).FirstOrDefaultAsync(cancellationToken);

        var client = clients.Create();
        try
        {
            var existing = issue.Number is { } number
                ? await client.Issue.Get(parts[0], parts[1], number)
                : await FindByMarkerAsync(client, parts[0], parts[1], issue.Marker);
            var open = issue.State == "open";
            if (existing is null && !open)
                return null;
            var title = Title(issue.Model, issue.Version, facts);
            var body = Body(issue, app?.Team, app?.Name, facts, open);
            if (existing is null)
            {
                var created = await client.Issue.Create(parts[0], parts[1], new NewIssue(title) { Body = body, Labels = { Label } });
                issue.Number = created.Number;
            }
            else
            {
                issue.Number = existing.Number;
                var wanted = open ? ItemState.Open : ItemState.Closed;
                if (existing.Title != title || existing.Body != body || existing.State.Value != wanted)
                    await client.Issue.Update(parts[0], parts[1], existing.Number, new IssueUpdate { Title = title, Body = body, State = wanted });
            }
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (ApiException ex)
        {
            return $"GitHub {(int)ex.StatusCode} for {issue.Repository}: {ex.Message}";
        }
        catch (HttpRequestException ex)
        {
            return $"GitHub unreachable for {issue.Repository}: {ex.Message}";
        }
    }

    private static async Task<Issue?> FindByMarkerAsync(GitHubClient client, string owner, string name, string marker)
    {
        var request = new RepositoryIssueRequest { State = ItemStateFilter.All };
        request.Labels.Add(Label);
        var issues = await client.Issue.GetAllForRepository(owner, name, request);
        return issues.FirstOrDefault(i => i.Body?.Contains(MarkerComment(marker), StringComparison.Ordinal) == true);
    }

    public static string MarkerComment(string marker) => $"<!-- {marker.Replace("--", "-", StringComparison.Ordinal)} -->";

    public static string Title(string model, string version, Notification? facts)
    {
        var name = version.Length > 0 ? $"{model} {version}" : model;
        return facts?.RetiresOn is { } date
            ? $"Model retirement: {name} {(facts.IsEstimate ? "not before" : "on")} {date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"
            : $"Model retirement: {name}";
    }

    private string Body(GitHubIssue issue, string? team, string? app, Notification? facts, bool open)
    {
        var text = new StringBuilder();
        var name = issue.Version.Length > 0 ? $"{issue.Model} {issue.Version}" : issue.Model;
        if (!open)
            text.AppendLine(CultureInfo.InvariantCulture, $"This app no longer pins `{name}`: nothing left to do here.").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"App `{app}` of team `{team}` pins `{name}` on {facts?.Platform ?? issue.Provider}{(issue.Environment.Length > 0 ? $" ({issue.Environment})" : "")}.");
        text.AppendLine();
        if (facts is not null)
        {
            var date = facts.RetiresOn is { } d ? $"{d:yyyy-MM-dd} ({(facts.IsEstimate ? "estimate" : "firm")})" : "not announced";
            text.AppendLine(CultureInfo.InvariantCulture, $"- Retirement: {date}");
            if (facts.DaysLeft is { } days)
                text.AppendLine(CultureInfo.InvariantCulture, $"- Days left (as of {facts.CreatedAt:yyyy-MM-dd}): {days}");
            text.AppendLine(CultureInfo.InvariantCulture, $"- Successor: {facts.Successor ?? "none named yet"}");
            text.AppendLine(CultureInfo.InvariantCulture, $"- Readiness: {facts.Verdict}");
        }
        if (team is not null && app is not null)
            text.AppendLine(CultureInfo.InvariantCulture, $"- Report: {links.Value.AppReport(team, app)}");
        text.AppendLine().AppendLine("Opened and kept up to date by Monitor.").Append(MarkerComment(issue.Marker));
        return text.ToString();
    }
}
