using ModelMonitor.Notifications;

namespace ModelMonitor.Cli;

/// `monitor notify [--dry-run] [--as-of YYYY-MM-DD]`: plan now (as of a given day, for operators checking
/// what is coming) and deliver; with --dry-run, print the digests and roll everything back.
internal static class NotifyVerb
{
    public static async Task<int> RunAsync(VerbContext context)
    {
        var dryRun = context.Arguments.Has("--dry-run");
        var asOf = context.Arguments.GetDate("--as-of");
        await using var scope = context.Services.CreateAsyncScope();
        var planner = scope.ServiceProvider.GetRequiredService<NotificationPlanner>();
        var renderer = scope.ServiceProvider.GetRequiredService<DigestRenderer>();
        var loader = scope.ServiceProvider.GetRequiredService<DigestLoader>();
        var output = context.Out;

        var plan = await planner.PlanAsync(asOf, dryRun, async result =>
        {
            if (!dryRun)
                return;
            // Inside the planning transaction, before it is rolled back: what would be sent.
            foreach (var digest in await loader.LoadAsync(result.DigestIds, context.CancellationToken))
            {
                var message = renderer.RenderEmail(digest);
                await output.WriteLineAsync($"=== digest for {(digest.Team is { } team ? "team " + team.Name : "operators")}");
                await output.WriteLineAsync($"To: {message.To}");
                if (message.Cc.Count > 0)
                    await output.WriteLineAsync($"Cc: {message.Cc}");
                await output.WriteLineAsync($"Subject: {message.Subject}");
                await output.WriteLineAsync();
                await output.WriteLineAsync(renderer.Text(digest));
            }
        }, context.CancellationToken);

        await output.WriteLineAsync(
            $"{(dryRun ? "Would plan" : "Planned")} {plan.Planned} notification(s) in {plan.DigestIds.Count} digest(s) as of {plan.AsOf:yyyy-MM-dd}"
            + $" ({plan.Elapsed.TotalMilliseconds:0} ms){(dryRun ? "; nothing was written." : ".")}");
        if (dryRun)
            return ExitCodes.Ok;

        var delivery = await context.Services.GetRequiredService<OutboxDelivery>().DeliverAsync(context.CancellationToken);
        await output.WriteLineAsync($"Delivered {delivery.Sent} message(s); {delivery.Failed} failed and stay in the outbox for retry.");
        return delivery.Failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
