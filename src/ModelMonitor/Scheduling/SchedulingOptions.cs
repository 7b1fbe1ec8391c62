using Microsoft.Extensions.Options;
using Quartz;

namespace ModelMonitor.Scheduling;

/// Section "Scheduling": whether this node runs jobs, and when each job fires (Quartz cron, seconds first).
public sealed class SchedulingOptions
{
    // A node with Enabled=false serves the API and pages only.
    public bool Enabled { get; set; } = true;

    // Same on every node of a cluster; nodes get generated instance ids.
    public string InstanceName { get; set; } = "monitor";

    // How often a node records that it is alive; a node silent for about this plus 7.5 s is taken as dead
    // and its running jobs are recovered by another node.
    public int CheckinIntervalSeconds { get; set; } = 10;

    // A trigger later than this (all nodes down, or busy) is misfired: cron triggers then run once now.
    public int MisfireThresholdSeconds { get; set; } = 60;

    // On shutdown, running jobs get this long to finish; one still running is left for recovery.
    public int ShutdownTimeoutSeconds { get; set; } = 60;

    // Cron schedules keyed by job name (see Jobs); a source may override "crawl" with its own Schedule.
    public Dictionary<string, string> Crons { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public string CronFor(string job) =>
        Crons.TryGetValue(job, out var cron) && !string.IsNullOrWhiteSpace(cron) ? cron : Jobs.DefaultCrons[job];
}

internal sealed class SchedulingOptionsValidator : IValidateOptions<SchedulingOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulingOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.InstanceName))
            failures.Add("Scheduling:InstanceName must not be empty.");
        Range(failures, "CheckinIntervalSeconds", options.CheckinIntervalSeconds, 1, 300);
        Range(failures, "MisfireThresholdSeconds", options.MisfireThresholdSeconds, 1, 3600);
        Range(failures, "ShutdownTimeoutSeconds", options.ShutdownTimeoutSeconds, 1, 3600);
        foreach (var (job, cron) in options.Crons)
        {
            if (!Jobs.DefaultCrons.ContainsKey(job))
                failures.Add($"Scheduling:Crons:{job} is not a known job (known: {string.Join(", ", Jobs.DefaultCrons.Keys)}).");
            else if (!CronExpression.TryParse(cron, out _))
                failures.Add($"Scheduling:Crons:{job} is not a valid Quartz cron expression: '{cron}'.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string name, int value, int min, int max)
    {
        if (value < min || value > max)
            failures.Add($"Scheduling:{name} must be between {min} and {max} (it is {value}).");
    }
}
