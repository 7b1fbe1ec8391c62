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
        foreach (var (job, cron) in options.Crons)
        {
            if (!Jobs.DefaultCrons.ContainsKey(job))
                failures.Add($"Scheduling:Crons:{job} is not a known job (known: {string.Join(", ", Jobs.DefaultCrons.Keys)}).");
            else if (!CronExpression.TryParse(cron, out _))
                failures.Add($"Scheduling:Crons:{job} is not a valid Quartz cron expression: '{cron}'.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
