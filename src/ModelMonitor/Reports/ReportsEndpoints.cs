using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ModelMonitor.Catalog;
using ModelMonitor.Notifications;
using ModelMonitor.Pins;
using ModelMonitor.Pins.Auth;
using ModelMonitor.Reports.Pages;
using ModelMonitor.Storage;

namespace ModelMonitor.Reports;

/// The pages (server-rendered Razor components, no script), login, Atom feeds and the readiness exports.
internal static partial class ReportsEndpoints
{
    public const int FeedEntries = 100;

    public static void AddReports(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        builder.AddPageAuth();
        builder.Services.AddScoped<ReadinessReports>();
        builder.Services.AddScoped<DashboardQuery>();
        builder.Services.AddScoped<CatalogPages>();
    }

    public static void MapReports(this WebApplication app)
    {
        app.MapGet("/assets/site.css", () => TypedResults.Text(SiteCss, "text/css"))
            .ExcludeFromDescription();

        app.MapGet("/login", (string? returnUrl) => Page<Login>(new { ReturnUrl = PageAuth.SafeReturnUrl(returnUrl) }))
            .ExcludeFromDescription();
        app.MapPost("/login", LoginAsync)
            .RequireRateLimiting(AuthPolicies.FailedAttempts)
            .DisableAntiforgery()
            .ExcludeFromDescription();
        app.MapPost("/logout", (Func<HttpContext, Task<IResult>>)LogoutAsync)
            .DisableAntiforgery()
            .ExcludeFromDescription();

        // No failed-attempt limiter here: it runs before the cookie is read, so it would count every page view.
        var pages = app.MapGroup("")
            .RequireAuthorization(PageAuth.Policy)
            .ExcludeFromDescription();
        pages.MapGet("/", DashboardAsync);
        pages.MapGet("/teams/{team}/apps/{app}", AppReportAsync);
        pages.MapGet("/models/{provider}/{**model}", ModelAsync);
        pages.MapGet("/sources", async (ClaimsPrincipal user, CatalogPages catalog, CancellationToken ct) =>
            Page<SourcesPage>(new { Model = await catalog.SourcesAsync(ct), Viewer = Viewer.Of(user) }));
        pages.MapGet("/feed.atom", FeedAsync);
        pages.MapGet("/teams/{team}/feed.atom", TeamFeedAsync);

        app.MapGet("/api/teams/{team}/apps/{app}/readiness", ExportAsync)
            .RequireAuthorization(PageAuth.Policy)
            .WithTags("Reports")
            .WithName("GetAppReadiness")
            .WithSummary("The app's readiness report: JSON, or Markdown with ?format=md (bearer token of the team, or admin).")
            .Produces<ReadinessReport>()
            .Produces<string>(StatusCodes.Status200OK, "text/markdown")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static RazorComponentResult Page<T>(object parameters, int status = StatusCodes.Status200OK) where T : Microsoft.AspNetCore.Components.IComponent =>
        new RazorComponentResult<T>(parameters) { StatusCode = status };

    private static async Task<IResult> LoginAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (!PageAuth.IsSameOrigin(context.Request))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "The login form must be posted from this site.");
        if (!context.Request.HasFormContentType)
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type", detail: "Post the login form (application/x-www-form-urlencoded).");
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var returnUrl = PageAuth.SafeReturnUrl(form["returnUrl"]);
        var principal = await PageAuth.SignInPrincipalAsync(context, form["token"].ToString(), cancellationToken);
        if (principal is null)
        {
            Log.LoginFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReportsEndpoints)), context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return Page<Login>(new { ReturnUrl = returnUrl, Error = "That token is not valid. Use your team's token (mon_…) or the admin token." },
                StatusCodes.Status401Unauthorized);
        }
        await context.SignInAsync(PageAuth.CookieScheme, principal);
        return TypedResults.Redirect(returnUrl);
    }

    private static async Task<IResult> LogoutAsync(HttpContext context)
    {
        if (!PageAuth.IsSameOrigin(context.Request))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "The logout form must be posted from this site.");
        await context.SignOutAsync(PageAuth.CookieScheme);
        return TypedResults.Redirect("/login");
    }

    private static async Task<IResult> DashboardAsync(ClaimsPrincipal user, DashboardQuery query, TimeProvider time, CancellationToken cancellationToken)
    {
        var viewer = Viewer.Of(user);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var model = await query.LoadAsync(today, viewer.IsAdmin ? null : viewer.TeamId, viewer.IsAdmin ? null : viewer.Team, cancellationToken);
        return Page<Dashboard>(new { Model = model, Viewer = viewer });
    }

    private static async Task<IResult> AppReportAsync(string team, string app, ClaimsPrincipal user, ReadinessReports reports, CancellationToken cancellationToken)
    {
        var viewer = Viewer.Of(user);
        // Another team's app answers exactly as a missing one, so names cannot be probed.
        var report = viewer.CanSee(team) ? await reports.BuildAsync(team, app, cancellationToken) : null;
        return report is null
            ? Page<MissingPage>(new { Message = $"There is no app '{app}' of team '{team}' that you can see.", Viewer = viewer }, StatusCodes.Status404NotFound)
            : Page<AppReport>(new { Report = report, Viewer = viewer });
    }

    private static async Task<IResult> ModelAsync(string provider, string model, ClaimsPrincipal user, CatalogPages catalog, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var viewer = Viewer.Of(user);
        var page = await catalog.ModelAsync(provider, model, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken);
        return page is null
            ? Page<MissingPage>(new { Message = $"The catalog has no model '{model}' for provider '{provider}'.", Viewer = viewer }, StatusCodes.Status404NotFound)
            : Page<ModelPage>(new { Model = page, Viewer = viewer });
    }

    private static async Task<IResult> FeedAsync(MonitorDb db, IOptions<ReportLinkOptions> links, TimeProvider time, CancellationToken cancellationToken)
    {
        var events = await db.ChangeEvents.AsNoTracking().OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Take(FeedEntries).ToListAsync(cancellationToken);
        var baseUrl = links.Value.BaseUrl.TrimEnd('/');
        return TypedResults.Text(AtomFeed.Write("Monitor: model change events", baseUrl + "/feed.atom", baseUrl, events, time.GetUtcNow()), AtomFeed.ContentType);
    }

    private static async Task<IResult> TeamFeedAsync(string team, ClaimsPrincipal user, MonitorDb db, IOptions<ReportLinkOptions> links, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var viewer = Viewer.Of(user);
        var teamId = viewer.CanSee(team) ? await db.Teams.Where(t => t.Name == team).Select(t => (long?)t.Id).FirstOrDefaultAsync(cancellationToken) : null;
        if (teamId is null)
            return PinsProblems.TeamNotFound(team);
        // The events of every model a pin of the team points at: the pinned id or the alias target, on the pin's
        // provider or platform, for the pinned version or the model as a whole.
        var events = await db.ChangeEvents.FromSql($"""
                SELECT e.* FROM change_events e
                WHERE EXISTS (
                    SELECT 1 FROM pins p JOIN apps a ON a.id = p.app_id
                    WHERE a.team_id = {teamId.Value} AND e.model IN (p.model, p.resolved_model)
                      AND e.provider IN (p.provider, coalesce(p.platform, p.provider)) AND (e.version = p.version OR e.version = ''))
                """)
            .AsNoTracking().OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).Take(FeedEntries).ToListAsync(cancellationToken);
        var baseUrl = links.Value.BaseUrl.TrimEnd('/');
        return TypedResults.Text(AtomFeed.Write($"Monitor: changes to the models team {team} pins", $"{baseUrl}/teams/{Uri.EscapeDataString(team)}/feed.atom",
            baseUrl, events, time.GetUtcNow()), AtomFeed.ContentType);
    }

    private static async Task<IResult> ExportAsync(string team, string app, string? format, ClaimsPrincipal user, ReadinessReports reports,
        CancellationToken cancellationToken)
    {
        if (format is not (null or "json" or "md"))
            return PinsProblems.Invalid("format", $"format must be 'json' (the default) or 'md', not '{format}'.");
        var viewer = Viewer.Of(user);
        if (!viewer.CanSee(team))
            return PinsProblems.TeamNotFound(team);
        var report = await reports.BuildAsync(team, app, cancellationToken);
        if (report is null)
            return PinsProblems.AppNotFound(team, app);
        return format == "md"
            ? TypedResults.Text(ReadinessMarkdown.Write(report), ReadinessMarkdown.ContentType)
            : TypedResults.Ok(report);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "A page login with an invalid token from {Address}.")]
        public static partial void LoginFailed(ILogger logger, string address);
    }

    private const string SiteCss = """
        :root { --fg: #1d2430; --muted: #5b6575; --line: #dde2ea; --accent: #2250c9; --bad: #b3261e; --warn: #a15c00; --ok: #1e7a3c; --add: #e6f4ea; --del: #fce8e6; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
        header.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); }
        header.top .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
        header.top nav a { margin-right: 1rem; color: var(--accent); text-decoration: none; }
        header.top form.session { margin-left: auto; display: flex; gap: .5rem; align-items: baseline; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
        h1 { font-size: 1.5rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.15rem; margin-top: 2rem; }
        h3 { font-size: 1rem; }
        table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        code { font-size: .9em; }
        a { color: var(--accent); }
        .meta, .empty { color: var(--muted); }
        .error { color: var(--bad); }
        .badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .85em; background: #eef0f4; }
        .badge.ok { background: #e3f3e8; color: var(--ok); }
        .badge.warn { background: #fbf0dd; color: var(--warn); }
        .badge.bad { background: #fbe4e2; color: var(--bad); }
        tr.warning td { color: var(--warn); font-size: .9em; border-bottom: none; }
        tr.expired td { color: var(--muted); }
        svg.chart { display: block; max-width: 100%; height: auto; margin: .5rem 0; }
        .figure { font-weight: 700; }
        form.login { display: flex; flex-direction: column; gap: .5rem; max-width: 24rem; }
        form.login input { font: inherit; padding: .4rem; }
        button { font: inherit; padding: .3rem .8rem; }
        .side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
        .output { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid var(--line); padding: .5rem; font-family: ui-monospace, monospace; font-size: .85em; }
        ins { background: var(--add); text-decoration: none; }
        del { background: var(--del); }
        .recorded { display: inline-block; padding: .1rem .5rem; border: 1px solid var(--warn); color: var(--warn); border-radius: .3rem; font-weight: 600; }
        ul.events { margin: .25rem 0 0; padding-left: 1rem; font-size: .9em; }
        @media (max-width: 40rem) { table { display: block; overflow-x: auto; } .side-by-side { grid-template-columns: 1fr; } main { padding: .75rem; } }
        """;
}
