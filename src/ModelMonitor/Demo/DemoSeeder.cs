using Microsoft.Extensions.Options;
using ModelMonitor.Notifications;
using ModelMonitor.Pins;
using ModelMonitor.Sources;
using ModelMonitor.Storage;
using Microsoft.EntityFrameworkCore;

namespace ModelMonitor.Demo;

/// Puts the whole flow on screen without a network: sample pages (written for the demo, real model ids and
/// dates) go through the real extractors and reconciler as if fetched; a demo team registers two apps through the
/// same registration as the API; planning and delivery write the team's digest to the pickup folder.
/// Idempotent: a restart finds everything in place and changes nothing.
internal sealed class DemoSeeder(IServiceScopeFactory scopes, IOptions<DemoOptions> options, IOptions<SourcesOptions> sources)
{
    public const string Team = "demo";

    public static string SamplesDirectory => Path.Combine(AppContext.BaseDirectory, "Demo", "samples");

    // One app retiring soon (Azure o3-pro 2025-06-10: 2026-12-10), one that is fine for months.
    internal static readonly IReadOnlyList<(string Name, string Description, PinSpec[] Pins)> Apps =
    [
        ("support-bot", "Customer support assistant (demo)",
        [
            new PinSpec("azure-openai", "o3-pro", "2025-06-10", null, "eastus2", "production", 40_000_000, 6_000_000),
            new PinSpec("azure-openai", "gpt-5-mini", "2025-08-07", null, "eastus2", "production", 120_000_000, 15_000_000),
        ]),
        ("claims-triage", "Routes insurance claims to the right queue (demo)",
        [
            new PinSpec("azure-openai", "gpt-5.2", "2025-12-11", null, "westeurope", "production", 25_000_000, 2_000_000),
        ]),
    ];

    public async Task<DemoResult> SeedAsync(CancellationToken cancellationToken)
    {
        var imported = await ImportSamplePagesAsync(cancellationToken);
        var tokenFile = await EnsureTeamAsync(cancellationToken);
        var runs = await RegisterAppsAsync(cancellationToken);

        await using var scope = scopes.CreateAsyncScope();
        var plan = await scope.ServiceProvider.GetRequiredService<NotificationPlanner>().PlanAsync(null, false, null, cancellationToken);
        var delivery = await scope.ServiceProvider.GetRequiredService<OutboxDelivery>().DeliverAsync(cancellationToken);
        return new DemoResult(imported, Apps.Count, runs, plan.Planned, delivery.Sent, tokenFile);
    }

    private async Task<int> ImportSamplePagesAsync(CancellationToken cancellationToken)
    {
        var imported = 0;
        foreach (var file in Directory.EnumerateFiles(SamplesDirectory, "*.md").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (sources.Value.Find(name) is null)
                continue;
            await using var scope = scopes.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<Crawler>().CrawlAsync(name, file, force: false, cancellationToken);
            if (!result.Succeeded)
                throw new InvalidOperationException($"the demo's sample page for '{name}' was not imported: {result.Detail}");
            imported++;
        }
        return imported;
    }

    /// Creates the demo team; writes its token to the token file (the only place it appears). When the team
    /// exists but the file is gone, the token is rotated so that the demo can still be logged into.
    private async Task<string> EnsureTeamAsync(CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(options.Value.TokenFile);
        await using var scope = scopes.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<PinRegistry>();
        string? token;
        if (await registry.FindTeamIdAsync(Team, cancellationToken) is null)
            token = await registry.CreateTeamAsync(new TeamSpec(Team, ["demo-team@example.com"], ["demo-oncall@example.com"]), cancellationToken);
        else
            token = File.Exists(path) ? null : await registry.RotateTokenAsync(Team, cancellationToken);
        if (token is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, token + "\n", cancellationToken);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return path;
    }

    /// The apps through the API's registration, then their suites and recorded runs. Returns the runs imported.
    private async Task<int> RegisterAppsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var registration = scope.ServiceProvider.GetRequiredService<AppRegistration>();
        var recorded = scope.ServiceProvider.GetRequiredService<RecordedRuns>();
        var db = scope.ServiceProvider.GetRequiredService<MonitorDb>();
        var teamId = await registration.FindTeamIdAsync(Team, cancellationToken)
            ?? throw new InvalidOperationException("the demo team was not created");
        var runs = 0;
        foreach (var (name, description, pins) in Apps)
        {
            await registration.SaveAsync(teamId, Team, name, new AppSpec(description, null, PinsValidation.DefaultManifestPath, pins), cancellationToken);
            var appId = await db.Apps.Where(a => a.TeamId == teamId && a.Name == name).Select(a => a.Id).SingleAsync(cancellationToken);
            runs += await recorded.SeedAsync(appId, name, cancellationToken);
        }
        return runs;
    }
}

internal sealed record DemoResult(int SourcesImported, int Apps, int RecordedRuns, int NotificationsPlanned, int EmailsSent, string TokenFile)
{
    public override string ToString() =>
        $"{SourcesImported} sample source(s) imported, {Apps} app(s) of team '{DemoSeeder.Team}', {RecordedRuns} recorded regression run(s) imported, "
        + $"{NotificationsPlanned} notification(s) planned, {EmailsSent} email(s) written; the team's token is in {TokenFile}";
}
