using Microsoft.Extensions.Options;
using MimeKit;

namespace ModelMonitor.Notifications;

/// Section "Notifications": when a pinned version's retirement is worth an email, and to whom.
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    // Days before retirement at which a pin alerts; 0 is the day itself. Estimated dates use the same ones.
    public List<int> Milestones { get; set; } = [];

    // Pins whose successor passed their regression suite ("ready") alert only at these (a subset of Milestones).
    public List<int> ReadyMilestones { get; set; } = [];

    // An already-retired pin alerts every day until the pin changes: the app is failing now.
    public bool RetiredDaily { get; set; } = true;

    // Operators receive a digest of unhealthy sources; empty sends none.
    public List<string> OperatorEmails { get; set; } = [];

    // Change events older than this are never alerted on (a first run, or a long downtime, would otherwise flood).
    public int EventLookbackDays { get; set; } = 7;

    // One GitHub issue per pinned model in each app that names a repository (uses the GitHub section's token).
    public bool GitHubIssues { get; set; }

    // Key from which each team's webhook signing secret is derived (Notifications__WebhookKey). Without it,
    // webhooks are not sent. Derived, so no secret is stored in the database.
    public string? WebhookKey { get; set; }

    // Hosts a webhook may point at ("hooks.example.com", "*.example.com"). Empty: any public host. A listed host
    // may also be on a loopback or private network; an unlisted one never is (see WebhookTargets).
    public List<string> WebhookAllowedHosts { get; set; } = [];

    public DeliveryOptions Delivery { get; set; } = new();

    internal static readonly int[] DefaultMilestones = [90, 60, 30, 14, 7, 3, 1, 0];
    internal static readonly int[] DefaultReadyMilestones = [30, 7, 1, 0];

    // Binding a list appends to the initial value, so the defaults are applied after binding instead.
    internal IReadOnlyList<int> EffectiveMilestones => Milestones.Count > 0 ? Milestones : DefaultMilestones;
    internal IReadOnlyList<int> EffectiveReadyMilestones => ReadyMilestones.Count > 0 ? ReadyMilestones : DefaultReadyMilestones;

    public override string ToString() => $"Notifications at {string.Join(',', EffectiveMilestones)} days";
}

public sealed class DeliveryOptions
{
    // Messages claimed, and sent over one SMTP connection, per batch.
    public int BatchSize { get; set; } = 200;

    // First retry after this many seconds, doubling per failed attempt up to MaxRetryMinutes, ±20 % jitter.
    public int RetryBaseSeconds { get; set; } = 60;
    public int MaxRetryMinutes { get; set; } = 360;

    // A message that failed this many times is given up: kept with its last error and failed_at, never retried.
    public int MaxAttempts { get; set; } = 20;

    // A claimed message that was neither sent nor failed within this time (a crashed node) is claimed again.
    public int LeaseSeconds { get; set; } = 300;
}

internal sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        var failures = new List<string>();
        var milestones = options.EffectiveMilestones;
        if (milestones.Any(m => m is < 0 or > 3650))
            failures.Add($"Notifications:Milestones must be days from 0 to 3650, not {string.Join(',', milestones)}.");
        if (milestones.Distinct().Count() != milestones.Count)
            failures.Add($"Notifications:Milestones has duplicates: {string.Join(',', milestones)}.");
        var outside = options.EffectiveReadyMilestones.Except(milestones).ToList();
        if (outside.Count > 0)
            failures.Add($"Notifications:ReadyMilestones must be a subset of Notifications:Milestones; {string.Join(',', outside)} is not one of them.");
        for (var i = 0; i < options.OperatorEmails.Count; i++)
            if (!MailboxAddress.TryParse(options.OperatorEmails[i], out var address) || !address.Address.Contains('@', StringComparison.Ordinal))
                failures.Add($"Notifications:OperatorEmails:{i} is not an email address: '{options.OperatorEmails[i]}'.");
        if (options.EventLookbackDays is < 1 or > 365)
            failures.Add("Notifications:EventLookbackDays must be from 1 to 365.");
        if (options.WebhookKey is { Length: > 0 and < 32 })
            failures.Add("Notifications:WebhookKey must be at least 32 characters (environment: Notifications__WebhookKey).");
        var delivery = options.Delivery;
        if (delivery.BatchSize is < 1 or > 10_000)
            failures.Add("Notifications:Delivery:BatchSize must be from 1 to 10000.");
        if (delivery.RetryBaseSeconds is < 1 or > 86_400)
            failures.Add("Notifications:Delivery:RetryBaseSeconds must be from 1 to 86400.");
        if (delivery.MaxRetryMinutes < 1 || delivery.MaxRetryMinutes * 60 < delivery.RetryBaseSeconds)
            failures.Add("Notifications:Delivery:MaxRetryMinutes must be at least 1 and not below RetryBaseSeconds.");
        if (delivery.MaxAttempts is < 1 or > 1000)
            failures.Add("Notifications:Delivery:MaxAttempts must be from 1 to 1000.");
        for (var i = 0; i < options.WebhookAllowedHosts.Count; i++)
            if (Uri.CheckHostName(options.WebhookAllowedHosts[i].StartsWith("*.", StringComparison.Ordinal) ? options.WebhookAllowedHosts[i][2..] : options.WebhookAllowedHosts[i].Trim('[', ']')) == UriHostNameType.Unknown)
                failures.Add($"Notifications:WebhookAllowedHosts:{i} is not a host name, '*.domain' or an IP address: '{options.WebhookAllowedHosts[i]}'.");
        if (delivery.LeaseSeconds is < 10 or > 86_400)
            failures.Add("Notifications:Delivery:LeaseSeconds must be from 10 to 86400.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// The part of section "Reports" that links need: where the report pages are served for readers of an email.
internal sealed class ReportLinkOptions
{
    public string BaseUrl { get; set; } = "http://127.0.0.1:5080";

    public string AppReport(string team, string app) =>
        $"{BaseUrl.TrimEnd('/')}/teams/{Uri.EscapeDataString(team)}/apps/{Uri.EscapeDataString(app)}";
}

internal sealed class ReportLinkOptionsValidator : IValidateOptions<ReportLinkOptions>
{
    public ValidateOptionsResult Validate(string? name, ReportLinkOptions options) =>
        Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Reports:BaseUrl must be an absolute http(s) URL, not '{options.BaseUrl}'.");
}
