using System.Text;

namespace ModelMonitor.Notifications;

/// One retirement date in a calendar: an all-day event on the day the model stops answering.
internal sealed record CalendarEntry(string Uid, DateOnly Date, bool IsEstimate, string Summary, string Description, string? Url);

/// Writes iCalendar (RFC 5545) by hand: it is a small, line-based format, and doing it here keeps the
/// escaping and folding rules in view. Dates are all-day (VALUE=DATE); alarms fire at the given days before.
internal static class Calendar
{
    public const string ContentType = "text/calendar";

    public static string Write(string name, IEnumerable<CalendarEntry> entries, IReadOnlyList<int> alarmDays, DateTimeOffset stamp)
    {
        var output = new StringBuilder();
        Line(output, "BEGIN:VCALENDAR");
        Line(output, "VERSION:2.0");
        Line(output, "PRODID:-//Monitor//Model retirements//EN");
        Line(output, "CALSCALE:GREGORIAN");
        Line(output, "METHOD:PUBLISH");
        Line(output, "X-WR-CALNAME:" + Text(name));
        var dtstamp = stamp.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var entry in entries)
        {
            Line(output, "BEGIN:VEVENT");
            Line(output, "UID:" + Text(entry.Uid));
            Line(output, "DTSTAMP:" + dtstamp);
            Line(output, "DTSTART;VALUE=DATE:" + Date(entry.Date));
            Line(output, "DTEND;VALUE=DATE:" + Date(entry.Date.AddDays(1)));
            Line(output, "SUMMARY:" + Text(entry.Summary));
            Line(output, "DESCRIPTION:" + Text(entry.Description));
            if (entry.Url is { } url)
                Line(output, "URL:" + url.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
            Line(output, "TRANSP:TRANSPARENT");
            if (entry.IsEstimate)
                Line(output, "STATUS:TENTATIVE");
            foreach (var days in alarmDays.Where(d => d > 0).Distinct().OrderByDescending(d => d))
            {
                Line(output, "BEGIN:VALARM");
                Line(output, "ACTION:DISPLAY");
                Line(output, $"TRIGGER;RELATED=START:-P{days}D");
                Line(output, "DESCRIPTION:" + Text($"{entry.Summary} — in {days} day{(days == 1 ? "" : "s")}"));
                Line(output, "END:VALARM");
            }
            Line(output, "END:VEVENT");
        }
        Line(output, "END:VCALENDAR");
        return output.ToString();
    }

    private static string Date(DateOnly date) => date.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    // TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 3.3.11).
    private static string Text(string value)
    {
        var output = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': output.Append(@"\\"); break;
                case ';': output.Append(@"\;"); break;
                case ',': output.Append(@"\,"); break;
                case '\n': output.Append(@"\n"); break;
                case '\r': break;
                default:
                    if (!char.IsControl(c))
                        output.Append(c);
                    break;
            }
        }
        return output.ToString();
    }

    // Content lines are folded at 75 octets (CRLF + space), never inside a UTF-8 sequence (RFC 5545 3.1).
    private static void Line(StringBuilder output, string line)
    {
        var octets = 0;
        var first = true;
        for (var i = 0; i < line.Length; i++)
        {
            var length = char.IsHighSurrogate(line[i]) && i + 1 < line.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(line.AsSpan(i, length));
            if (octets + size > (first ? 75 : 74))
            {
                output.Append("\r\n ");
                octets = 0;
                first = false;
            }
            output.Append(line, i, length);
            octets += size;
            i += length - 1;
        }
        output.Append("\r\n");
    }
}
