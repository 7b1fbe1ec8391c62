using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MimeKit;

namespace ModelMonitor.Notifications;

/// Turns a digest into what is sent: a MIME email (plain text + HTML + an .ics of the dates), or JSON for a
/// webhook. Every string a team or a page supplied is HTML-escaped in the HTML part, and CR/LF never reach a header.
internal sealed class DigestRenderer(IOptions<SmtpOptions> smtp, IOptions<NotificationOptions> notifications, IOptions<ReportLinkOptions> links)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public MimeMessage RenderEmail(DigestContent digest, IReadOnlyList<string>? operatorEmails = null)
    {
        var from = MailboxAddress.Parse(smtp.Value.From);
        var message = new MimeMessage();
        message.From.Add(from);
        var to = digest.IsOperators ? operatorEmails ?? notifications.Value.OperatorEmails : digest.Team!.Emails;
        foreach (var address in to)
            if (MailboxAddress.TryParse(Header(address), out var mailbox))
                message.To.Add(mailbox);
        if (digest.Escalate && digest.Team is { } team)
            foreach (var address in team.EscalationEmails)
                if (MailboxAddress.TryParse(Header(address), out var mailbox))
                    message.Cc.Add(mailbox);

        message.Subject = Header(Subject(digest));
        // Stable across retries: a receiver (or a person) can tell a resend from a new digest.
        message.MessageId = MessageId(digest.DigestId, from.Domain);
        message.Date = digest.CreatedAt;
        message.Headers.Add("X-Monitor-Digest", digest.DigestId.ToString(Invariant));
        if (digest.Team is { } t)
            message.Headers.Add("X-Monitor-Team", Header(t.Name));

        var body = new BodyBuilder { TextBody = Text(digest), HtmlBody = Html(digest) };
        var entries = CalendarEntries(digest).ToList();
        if (entries.Count > 0)
        {
            var ics = Calendar.Write(digest.Team is { } owner ? $"Model retirements — {owner.Name}" : "Model retirements", entries, [], digest.CreatedAt);
            body.Attachments.Add("retirements.ics", Encoding.UTF8.GetBytes(ics), new ContentType("text", "calendar") { Charset = "utf-8" });
        }
        message.Body = body.ToMessageBody();
        return message;
    }

    public static string MessageId(long digestId, string? domain) =>
        $"digest-{digestId.ToString(Invariant)}@{(string.IsNullOrEmpty(domain) ? "monitor.localhost" : domain)}";

    public string Subject(DigestContent digest)
    {
        if (digest.IsOperators)
        {
            var names = digest.Items.Select(i => i.Model).Distinct().ToList();
            return $"{names.Count} unhealthy source{Plural(names.Count)}: {string.Join(", ", names)}";
        }
        if (digest.Items.Count == 0)
            return $"Model retirements — team {digest.Team!.Name}";
        var top = digest.Items[0];
        var apps = digest.Items.Where(i => i.Provider == top.Provider && i.Model == top.Model && i.Version == top.Version)
            .Select(i => i.App).Distinct().Count();
        return $"{ModelName(top)} {Headline(top)} — {apps} app{Plural(apps)} of team {digest.Team!.Name}";
    }

    public string Text(DigestContent digest)
    {
        var text = new StringBuilder();
        if (digest.IsOperators)
        {
            text.AppendLine("Monitor — sources that failed to refresh").AppendLine();
            foreach (var item in digest.Items)
                text.AppendLine(Invariant, $"- {item.Model} ({item.Provider}): {item.Reasons[0].Detail}");
            return text.ToString();
        }
        text.AppendLine(Invariant, $"Monitor — model retirements for team {digest.Team!.Name}").AppendLine();
        var number = 0;
        foreach (var item in digest.Items)
        {
            number++;
            text.AppendLine(Invariant, $"{number}. {ModelName(item)} {Headline(item)}{(item.Informational ? " (for information)" : "")}");
            foreach (var (label, value) in Fields(digest, item))
                text.AppendLine(Invariant, $"   {label}: {value}");
            text.AppendLine();
        }
        text.AppendLine("Acknowledge an alert until a date: POST /api/teams/{team}/apps/{app}/pins/{model}/waiver {\"until\", \"reason\"}.");
        return text.ToString();
    }

    public string Html(DigestContent digest)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(E(Subject(digest))).Append("</title></head>");
        html.Append("<body style=\"font-family:system-ui,sans-serif;color:#1d2430\">");
        if (digest.IsOperators)
        {
            html.Append("<h1 style=\"font-size:18px\">Sources that failed to refresh</h1><ul>");
            foreach (var item in digest.Items)
                html.Append("<li><b>").Append(E(item.Model)).Append("</b> (").Append(E(item.Provider)).Append("): ").Append(E(item.Reasons[0].Detail ?? "")).Append("</li>");
            html.Append("</ul></body></html>");
            return html.ToString();
        }
        html.Append("<h1 style=\"font-size:18px\">Model retirements for team ").Append(E(digest.Team!.Name)).Append("</h1>");
        foreach (var item in digest.Items)
        {
            html.Append("<div class=\"item\" style=\"margin:0 0 16px;padding:8px 12px;border-left:4px solid ")
                .Append(item.IsRetired || item.DaysLeft <= 7 ? "#b3261e" : item.Informational ? "#5b6575" : "#a15c00").Append("\">");
            html.Append("<h2 style=\"font-size:16px;margin:0 0 6px\">").Append(E(ModelName(item))).Append(' ').Append(E(Headline(item)));
            if (item.Informational)
                html.Append(" <small>(for information)</small>");
            html.Append("</h2><table style=\"border-collapse:collapse\">");
            foreach (var (label, value) in Fields(digest, item))
            {
                html.Append("<tr><th style=\"text-align:left;padding:2px 12px 2px 0\">").Append(E(label)).Append("</th><td>");
                if (label == "Report")
                    html.Append("<a href=\"").Append(E(value)).Append("\">").Append(E(value)).Append("</a>");
                else
                    html.Append(E(value));
                html.Append("</td></tr>");
            }
            html.Append("</table></div>");
        }
        html.Append("<p style=\"color:#5b6575\">The attached calendar holds the retirement dates.</p></body></html>");
        return html.ToString();
    }

    public byte[] Json(DigestContent digest) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        digest = digest.DigestId,
        team = digest.Team?.Name,
        createdAt = digest.CreatedAt,
        subject = Subject(digest),
        items = digest.Items.Select(i => new
        {
            app = i.App,
            provider = i.Provider,
            model = i.Model,
            version = i.Version,
            environment = i.Environment,
            platform = i.Platform,
            retiresOn = i.RetiresOn,
            estimate = i.IsEstimate,
            daysLeft = i.DaysLeft,
            successor = i.Successor,
            verdict = i.Verdict,
            informational = i.Informational,
            reasons = i.Reasons.Select(r => new { reason = r.Reason, milestone = r.Milestone, detail = r.Detail }),
            report = i.App is null || digest.Team is null ? null : links.Value.AppReport(digest.Team.Name, i.App),
        }),
    });

    public IEnumerable<CalendarEntry> CalendarEntries(DigestContent digest) =>
        digest.Items.Where(i => i.RetiresOn is not null)
            .GroupBy(i => (i.Platform, i.Model, i.Version, i.RetiresOn))
            .Select(g =>
            {
                var item = g.First();
                var apps = string.Join(", ", g.Select(i => i.App).Distinct());
                return new CalendarEntry(
                    CalendarUid(digest.Team?.Name ?? "operators", item.Platform, item.Model, item.Version, item.RetiresOn!.Value),
                    item.RetiresOn!.Value, item.IsEstimate,
                    $"{ModelName(item)} {(item.IsEstimate ? "may retire (estimate)" : "retires")} on {item.Platform}",
                    $"Pinned by {apps}. {DateText(item)}. Successor: {item.Successor ?? "none named"}.",
                    null);
            });

    public static string CalendarUid(string team, string platform, string model, string version, DateOnly date) =>
        $"{team}.{platform}.{model}{(version.Length > 0 ? "." + version : "")}.{date:yyyyMMdd}@monitor";

    private IEnumerable<(string Label, string Value)> Fields(DigestContent digest, DigestItem item)
    {
        if (item.App is { } app)
            yield return ("App", item.AppDescription is { Length: > 0 } d ? $"{app} — {d}" : app);
        yield return ("Why", string.Join("; ", item.Reasons.Select(Why)));
        yield return ("Model", ModelName(item) + (item.Environment.Length > 0 ? $" ({item.Environment})" : ""));
        yield return ("Platform", item.Platform);
        yield return ("Date", DateText(item));
        yield return ("Days left", item.DaysLeft is { } days ? (days < 0 ? $"none — retired {-days} day{Plural(-days)} ago" : days.ToString(Invariant)) : "unknown");
        yield return ("Successor", item.Successor ?? "none named yet");
        yield return ("Readiness", item.Verdict);
        if (item.App is { } name && digest.Team is { } team)
            yield return ("Report", links.Value.AppReport(team.Name, name));
    }

    private static string ModelName(DigestItem item) => item.Version.Length > 0 ? $"{item.Model} {item.Version}" : item.Model;

    // "retires in 7 days", "retires in 30 days at the earliest", "retired 3 days ago", "is deprecated".
    private static string Headline(DigestItem item)
    {
        if (item.DaysLeft is not { } days)
            return item.Reasons.Any(r => r.Reason == Reasons.Retired) ? "is retired" : item.Reasons[0].Reason switch
            {
                Reasons.Deprecated => "is deprecated",
                Reasons.ReplacementChanged => "has a new successor",
                Reasons.AliasRepointed => "now points to another version",
                Reasons.VerdictChanged => $"readiness is now {item.Verdict}",
                _ => "changed",
            };
        if (days < 0)
            return $"retired {-days} day{Plural(-days)} ago";
        var when = days switch { 0 => "today", 1 => "tomorrow", _ => $"in {days} days" };
        return item.IsEstimate ? $"retires {when} at the earliest (estimate)" : $"retires {when}";
    }

    private static string DateText(DigestItem item)
    {
        if (item.RetiresOn is not { } date)
            return "no retirement date announced";
        if (!item.IsEstimate)
            return $"{date:yyyy-MM-dd} (firm)";
        return item.MonthPrecision
            ? $"during {date.ToString("MMMM yyyy", Invariant)} at the earliest (estimate)"
            : $"not before {date:yyyy-MM-dd} (estimate)";
    }

    private static string Why(DigestReason reason) => reason.Reason switch
    {
        Reasons.Milestone => reason.Milestone == 0 ? "retirement day" : $"{reason.Milestone}-day reminder",
        Reasons.Retired => "already retired: requests to it fail",
        Reasons.Deprecated => "newly deprecated",
        Reasons.DateSet => $"retirement date set ({reason.Detail})",
        Reasons.MovedEarlier => $"retirement moved earlier ({reason.Detail})",
        Reasons.MovedLater => $"retirement moved later ({reason.Detail})",
        Reasons.DateFirm => $"estimated date became firm ({reason.Detail})",
        Reasons.ReplacementChanged => $"successor changed ({reason.Detail})",
        Reasons.AliasRepointed => $"alias re-pointed ({reason.Detail})",
        Reasons.VerdictChanged => reason.Detail ?? "readiness changed",
        _ => reason.Reason,
    } + (reason.Reason == Reasons.Milestone && reason.Detail is { } alias ? $", {alias}" : "");

    private static string Plural(int count) => count == 1 ? "" : "s";

    private static string E(string value) => WebUtility.HtmlEncode(value);

    // Header-bound values lose CR, LF and other control characters: no header injection from a team's name.
    public static string Header(string value) => new(value.Where(c => !char.IsControl(c)).ToArray());
}
