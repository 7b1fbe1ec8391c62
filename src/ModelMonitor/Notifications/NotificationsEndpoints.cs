using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ModelMonitor.Pins;
using ModelMonitor.Pins.Auth;
using ModelMonitor.Storage;

namespace ModelMonitor.Notifications;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WaiverRequest(DateOnly? Until, string? Reason);

public sealed record WaiverResponse(string Team, string App, string Provider, string Model, string Version, string Environment, DateOnly Until, string Reason);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WebhookRequest(string? Url);

public sealed record WebhookResponse(string Url, string Secret, string SignatureHeader);

public sealed record FailedDelivery(long Id, string Channel, string? Team, long? DigestId, string? Target, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset FailedAt);

/// The team-facing API of notifications: waivers, the webhook, and the calendar feed of retirement dates.
internal static class NotificationsEndpoints
{
    public const int MaxWaiverDays = 366;

    public static void MapNotificationsApi(this WebApplication app)
    {
        app.UseAuth();
        var team = app.MapGroup("/api/teams/{team}")
            .WithTags("Notifications")
            .RequireRateLimiting(AuthPolicies.FailedAttempts)
            .RequireAuthorization(AuthPolicies.TeamMember)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

        team.MapPost("/apps/{app}/pins/{pin}/waiver", PostWaiverAsync)
            .WithName("WaivePin")
            .WithSummary("Silence a pin's alerts until a date (inclusive), with a reason. {pin} is the pinned model id; "
                + "add ?provider=, ?version=, ?environment= when the app pins it more than once. A retirement moved earlier reopens it.")
            .Accepts<WaiverRequest>("application/json")
            .ProducesValidationProblem();

        team.MapPut("/webhook", PutWebhookAsync)
            .WithName("PutWebhook")
            .WithSummary("Set the URL that receives the team's digests as signed JSON; answers with a new signing secret, shown once.")
            .Accepts<WebhookRequest>("application/json")
            .ProducesValidationProblem();

        app.MapGet("/api/outbox/failed", GetFailedAsync)
            .WithTags("Notifications")
            .RequireRateLimiting(AuthPolicies.FailedAttempts)
            .RequireAuthorization(AuthPolicies.Admin)
            .WithName("FailedDeliveries")
            .WithSummary("Outbox messages given up (a permanent refusal, or Notifications:Delivery:MaxAttempts failures), newest first; admin only.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        team.MapGet("/calendar.ics", GetCalendarAsync)
            .WithName("TeamCalendar")
            .WithSummary("The retirement dates of the team's pinned models as iCalendar, with alarms at the notification milestones.")
            .Produces<string>(StatusCodes.Status200OK, Calendar.ContentType);
    }

    private static async Task<Results<Created<WaiverResponse>, ProblemHttpResult>> PostWaiverAsync(
        string team, string app, string pin, string? provider, string? version, string? environment,
        HttpRequest request, MonitorDb db, PinsJson json, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<WaiverRequest>(request, json.Options, cancellationToken);
        if (body.Problem is { } problem)
            return problem;
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var errors = new Dictionary<string, string[]>();
        if (body.Value!.Until is not { } until)
            errors["until"] = ["is required: the last day (YYYY-MM-DD) on which alerts stay silent."];
        else if (until < today)
            errors["until"] = [$"is in the past ({until:yyyy-MM-dd}; today is {today:yyyy-MM-dd})."];
        else if (until > today.AddDays(MaxWaiverDays))
            errors["until"] = [$"is more than {MaxWaiverDays} days ahead; waive for less and renew."];
        var reason = body.Value.Reason?.Trim();
        if (string.IsNullOrEmpty(reason))
            errors["reason"] = ["is required: say why the alerts can wait."];
        else if (reason.Length > 500)
            errors["reason"] = ["is longer than 500 characters."];
        if (errors.Count > 0)
            return PinsProblems.Invalid(errors);

        var appRow = await db.Apps.Where(a => a.Name == app && a.Team!.Name == team).Select(a => new { a.Id }).FirstOrDefaultAsync(cancellationToken);
        if (appRow is null)
            return PinsProblems.AppNotFound(team, app);
        var candidates = await db.Pins.Where(p => p.AppId == appRow.Id && p.Model == pin)
            .Where(p => provider == null || p.Provider == provider)
            .Where(p => version == null || p.Version == version)
            .Where(p => environment == null || p.Environment == environment)
            .Select(p => new { p.Provider, p.Model, p.Version, p.Environment })
            .Distinct()
            .ToListAsync(cancellationToken);
        if (candidates.Count == 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
                detail: $"App '{app}' of team '{team}' does not pin '{pin}'{(provider ?? version ?? environment) switch { null => "", _ => " with the given provider, version or environment" }}.");
        if (candidates.Count > 1)
            return PinsProblems.Invalid("pin", $"'{pin}' is pinned {candidates.Count} times ("
                + string.Join("; ", candidates.Select(c => $"provider={c.Provider} version={c.Version} environment={c.Environment}"))
                + "); add ?provider=, ?version= or ?environment= to choose one.");

        var target = candidates[0];
        var waiver = new Waiver
        {
            AppId = appRow.Id,
            Provider = target.Provider,
            Model = target.Model,
            Version = target.Version,
            Environment = target.Environment,
            Until = body.Value.Until!.Value,
            Reason = reason!,
            CreatedAt = time.GetUtcNow(),
        };
        db.Add(waiver);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/teams/{team}/apps/{app}",
            new WaiverResponse(team, app, waiver.Provider, waiver.Model, waiver.Version, waiver.Environment, waiver.Until, waiver.Reason));
    }

    private static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> PutWebhookAsync(
        string team, HttpRequest request, MonitorDb db, PinsJson json, TimeProvider time, IOptions<NotificationOptions> options, WebhookTargets targets,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.Value.WebhookKey))
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: "Webhooks are not enabled on this server: the operator must set Notifications:WebhookKey.");
        var body = await JsonBody.ReadAsync<WebhookRequest>(request, json.Options, cancellationToken);
        if (body.Problem is { } problem)
            return problem;
        var url = body.Value!.Url?.Trim();
        if (string.IsNullOrEmpty(url) || url.Length > 2000)
            return PinsProblems.Invalid("url", "must be an absolute http(s) URL of at most 2000 characters.");
        if (targets.Refuse(url) is { } refused)
            return PinsProblems.Invalid("url", refused);
        var teamId = await db.Teams.Where(t => t.Name == team).Select(t => (long?)t.Id).FirstOrDefaultAsync(cancellationToken);
        if (teamId is null)
            return PinsProblems.TeamNotFound(team);
        var webhook = await db.Set<TeamWebhook>().FirstOrDefaultAsync(w => w.TeamId == teamId, cancellationToken);
        if (webhook is null)
            db.Add(webhook = new TeamWebhook { TeamId = teamId.Value, Url = url, CreatedAt = time.GetUtcNow() });
        else
        {
            // Every PUT issues a new secret: the previous one stops verifying at once.
            webhook.Url = url;
            webhook.SecretVersion++;
        }
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new WebhookResponse(url, WebhookSigning.Secret(options.Value.WebhookKey, teamId.Value, webhook.SecretVersion), OutboxDelivery.SignatureHeader));
    }

    private static async Task<Ok<List<FailedDelivery>>> GetFailedAsync(MonitorDb db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Set<OutboxMessage>().AsNoTracking()
            .Where(o => o.FailedAt != null)
            .OrderByDescending(o => o.FailedAt).ThenByDescending(o => o.Id)
            .Take(1000)
            .Select(o => new FailedDelivery(o.Id, o.Channel, db.Teams.Where(t => t.Id == o.TeamId).Select(t => t.Name).FirstOrDefault(),
                o.DigestId, o.Target, o.Attempts, o.LastError, o.CreatedAt, o.FailedAt!.Value))
            .ToListAsync(cancellationToken));

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetCalendarAsync(
        string team, MonitorDb db, TimeProvider time, IOptions<NotificationOptions> options, IOptions<ReportLinkOptions> links, CancellationToken cancellationToken)
    {
        var teamId = await db.Teams.Where(t => t.Name == team).Select(t => (long?)t.Id).FirstOrDefaultAsync(cancellationToken);
        if (teamId is null)
            return PinsProblems.TeamNotFound(team);
        var pins = await db.Pins.AsNoTracking().Where(p => p.App!.TeamId == teamId)
            .Select(p => new { App = p.App!.Name, p.Provider, p.Model, p.Version, p.Platform, p.ResolvedModel })
            .ToListAsync(cancellationToken);
        var models = pins.Select(p => p.ResolvedModel ?? p.Model).Distinct().ToList();
        var versions = await db.ModelVersions.AsNoTracking().Where(m => models.Contains(m.Model) && m.RetiresOn != null)
            .Select(m => new { m.Provider, m.Model, m.Version, m.RetiresOn, m.RetiresOnIsEstimate, m.Replacements })
            .ToListAsync(cancellationToken);
        var lifecycle = versions.ToDictionary(v => (v.Provider, v.Model, v.Version));

        // The platform's lifecycle when the catalog has one, else the provider's (as pins resolve).
        var entries = pins
            .Select(p =>
            {
                var watched = p.ResolvedModel ?? p.Model;
                var found = lifecycle.GetValueOrDefault((p.Platform ?? p.Provider, watched, p.Version))
                            ?? (p.Platform is null ? null : lifecycle.GetValueOrDefault((p.Provider, watched, p.Version)));
                return (Pin: p, Watched: watched, Lifecycle: found);
            })
            .Where(x => x.Lifecycle is not null)
            .GroupBy(x => (x.Lifecycle!.Provider, x.Watched, x.Pin.Version, x.Lifecycle.RetiresOn))
            .Select(g =>
            {
                var first = g.First();
                var l = first.Lifecycle!;
                var name = first.Pin.Version.Length > 0 ? $"{first.Watched} {first.Pin.Version}" : first.Watched;
                var apps = g.Select(x => x.Pin.App).Distinct().Order(StringComparer.Ordinal).ToList();
                return new CalendarEntry(
                    DigestRenderer.CalendarUid(team, l.Provider, first.Watched, first.Pin.Version, l.RetiresOn!.Value),
                    l.RetiresOn!.Value, l.RetiresOnIsEstimate,
                    $"{name} {(l.RetiresOnIsEstimate ? "may retire (estimate)" : "retires")} on {l.Provider}",
                    $"Pinned by {string.Join(", ", apps)} of team {team}. Successor: {(l.Replacements.Count > 0 ? l.Replacements[0] : "none named")}.",
                    links.Value.AppReport(team, apps[0]));
            })
            .OrderBy(e => e.Date).ThenBy(e => e.Uid, StringComparer.Ordinal)
            .ToList();
        var ics = Calendar.Write($"Model retirements — {team}", entries, options.Value.EffectiveMilestones, time.GetUtcNow());
        return TypedResults.Content(ics, $"{Calendar.ContentType}; charset=utf-8", Encoding.UTF8);
    }
}
