namespace ModelMonitor.Scheduling;

/// Every Quartz job's name and default cron. A persistent store keys jobs by name, so these never change.
public static class Jobs
{
    public const string Group = "monitor";

    // Name → default cron (Quartz syntax: seconds minutes hours day-of-month month day-of-week).
    public static readonly IReadOnlyDictionary<string, string> DefaultCrons =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            // Removes snapshots' raw bytes past their retention; keeps the rows.
            [Housekeeping] = "0 17 3 * * ?",
            // Plans notifications (set-based over all pins); idempotent, so hourly costs nothing twice.
            [NotifyPlan] = "0 5 * * * ?",
            // Sends what the outbox holds that is due (new digests, retries after backoff).
            [NotifyDeliver] = "0 * * * * ?",
        };

    public const string Housekeeping = "housekeeping";
    public const string NotifyPlan = "notify-plan";
    public const string NotifyDeliver = "notify-deliver";
}
