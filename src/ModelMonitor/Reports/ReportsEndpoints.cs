using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ModelMonitor.Reports.Pages;
using ModelMonitor.Storage;

namespace ModelMonitor.Reports;

internal static class ReportsEndpoints
{
    public static void AddReports(this WebApplicationBuilder builder) => builder.Services.AddRazorComponents();

    public static void MapReports(this WebApplication app)
    {
        app.MapGet("/", async (MonitorDb db, CancellationToken ct) =>
        {
            var model = new DashboardModel(
                await db.ModelVersions.CountAsync(ct),
                await db.Sources.CountAsync(ct),
                await db.Apps.CountAsync(ct),
                await db.Pins.CountAsync(ct));
            return new RazorComponentResult<Dashboard>(new { Model = model });
        }).ExcludeFromDescription();

        app.MapGet("/assets/site.css", () => TypedResults.Text(SiteCss, "text/css"))
            .ExcludeFromDescription();
    }

    private const string SiteCss = """
        :root { --fg: #1d2430; --muted: #5b6575; --line: #dde2ea; --accent: #2250c9; --bad: #b3261e; --warn: #a15c00; --ok: #1e7a3c; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
        header.top { display: flex; gap: 1.5rem; align-items: baseline; padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); }
        header.top .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
        header.top nav a { margin-right: 1rem; color: var(--accent); text-decoration: none; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
        h1 { font-size: 1.5rem; }
        table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        code { font-size: .9em; }
        .meta, .empty { color: var(--muted); }
        @media (max-width: 40rem) { table { display: block; overflow-x: auto; } }
        """;
}
