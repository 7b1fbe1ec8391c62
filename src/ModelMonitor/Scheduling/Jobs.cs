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
        };

    public const string Housekeeping = "housekeeping";
}
