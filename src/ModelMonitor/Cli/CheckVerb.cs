using ModelMonitor.Pins;

namespace ModelMonitor.Cli;

/// `check --team T --app A [--within-days N]`: for CI. One line per pin; exit 0 when all is well, 1 when a pin
/// retires within N days, 2 when a pin is already retired.
internal static class CheckVerb
{
    public const int DefaultWithinDays = 30;
    public const int Retiring = 1;
    public const int Retired = 2;

    public static readonly IReadOnlySet<string> Options = new HashSet<string> { "--team", "--app", "--within-days" };

    public static async Task<int> RunAsync(VerbContext context)
    {
        var team = context.Arguments.Require("--team");
        var app = context.Arguments.Require("--app");
        var within = context.Arguments.GetInt("--within-days", 0, 3650) ?? DefaultWithinDays;

        await using var scope = context.Services.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<PinRegistry>();
        if (await registry.FindTeamIdAsync(team, context.CancellationToken) is not { } teamId)
            return await DataErrorAsync($"there is no team '{team}'.");
        if (await registry.GetAppAsync(teamId, team, app, context.CancellationToken) is not { } found)
            return await DataErrorAsync($"team '{team}' has no app '{app}'.");

        int retired = 0, retiring = 0, unknown = 0;
        foreach (var pin in found.Pins)
        {
            var verdict = Verdict(pin.Resolution, within);
            retired += verdict == "RETIRED" ? 1 : 0;
            retiring += verdict == "RETIRING" ? 1 : 0;
            unknown += verdict == "UNKNOWN" ? 1 : 0;
            await context.Out.WriteLineAsync($"{verdict,-8}  {Line(pin)}");
        }
        await context.Out.WriteLineAsync(
            $"{team}/{app}: {found.Pins.Count} pin(s); {retired} retired, {retiring} retiring within {within} days, {unknown} not in the catalog.");
        return retired > 0 ? Retired : retiring > 0 ? Retiring : ExitCodes.Ok;
    }

    private static string Verdict(PinResolution r, int within) =>
        r.Status == PinStatus.Retired ? "RETIRED"
        : r.DaysLeft is { } days && days <= within ? "RETIRING"
        : r.Status == PinStatus.Unknown ? "UNKNOWN"
        : "OK";

    /// `openai gpt-4o-2024-05-13 [production]: deprecated, retires 2026-12-15 (firm), 17 days left; successor gpt-4o-2024-08-06`
    public static string Line(PinResponse pin)
    {
        var r = pin.Resolution;
        var spec = new PinSpec(pin.Provider, pin.Model, pin.Version ?? "", pin.Platform, pin.Region, pin.Environment ?? "", null, null);
        var text = $"{spec.Describe()}: {r.Status.ToString().ToLowerInvariant()}";
        if (r.ResolvedModel is not null)
            text += $" (alias of {r.ResolvedModel})";
        if (r.RetiresOn is { } on)
        {
            var kind = r.Retirement == RetirementKind.Estimate ? "estimate, not before" : "firm";
            text += r.DaysLeft switch
            {
                < 0 and var d => $", retired {on:yyyy-MM-dd} ({kind}), {-d} days ago",
                0 => $", retires {on:yyyy-MM-dd} ({kind}), today",
                var d => $", retires {on:yyyy-MM-dd} ({kind}), {d} days left",
            };
        }
        if (r.Successor is not null)
            text += $"; successor {r.Successor}";
        foreach (var warning in r.Warnings)
            text += $"\n          warning: {warning}";
        return text;
    }

    private static async Task<int> DataErrorAsync(string message)
    {
        await Console.Error.WriteLineAsync($"monitor check: {message}");
        return ExitCodes.DataError;
    }
}
