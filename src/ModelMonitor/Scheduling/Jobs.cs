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
            // Default schedule of every source without its own Sources:<name>:Schedule; each source has its own trigger.
            [Crawl] = "0 0 0/6 * * ?",
            // Marks models retired once their firm retirement date has passed.
            [Retirements] = "0 5 0 * * ?",
            // Reads each app's pins manifest from its repository; an unchanged file costs one API call.
            [ManifestSync] = "0 10/30 * * * ?",
            // Plans notifications (set-based over all pins); idempotent, so hourly costs nothing twice.
            [NotifyPlan] = "0 5 * * * ?",
            // Sends what the outbox holds that is due (new digests, retries after backoff).
            [NotifyDeliver] = "0 * * * * ?",
            // Claims and executes queued regression runs.
            [RegressionRun] = "0/15 * * * * ?",
            // Queues regression runs for changed successors, re-pointed aliases and near retirements (set-based).
            [RegressionTrigger] = "0 2/10 * * * ?",
        };

    public const string Housekeeping = "housekeeping";

    // One job, one trigger per enabled source ("crawl-openai"), the source name in the trigger's JobData.
    public const string Crawl = "crawl";
    public const string CrawlTriggerPrefix = "crawl-";
    public const string SourceKey = "source";

    public const string Retirements = "retirements";

    public const string ManifestSync = "manifest-sync";

    public static string CrawlTrigger(string source) => CrawlTriggerPrefix + source;

    public const string NotifyPlan = "notify-plan";
    public const string NotifyDeliver = "notify-deliver";

    public const string RegressionRun = "regression-run";
    public const string RegressionTrigger = "regression-trigger";

    /// The jobs that poll: they fire every minute or more often, mostly find nothing to do, and log their own work
    /// when there is some. Their start and finish lines are Debug, so an idle service's log stays quiet.
    public static readonly IReadOnlySet<string> Polling = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { NotifyDeliver, RegressionRun };
}
