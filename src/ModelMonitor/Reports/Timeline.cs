using System.Globalization;

namespace ModelMonitor.Reports;

public sealed record TimelineRow(string Label, string? Href, IReadOnlyList<TimelineMark> Marks);

/// Kind: released, deprecated, retires (firm), estimate (a "not before" date), today.
public sealed record TimelineMark(DateOnly Date, string Kind, string Title);

/// The geometry of a server-drawn timeline (SVG): one row per item, a date axis, a line for today.
/// Computed here so the component only places what this decided, and so tests can check positions.
public sealed class TimelineLayout
{
    public const int Width = 760;
    public const int LabelWidth = 250;
    public const int RowHeight = 24;
    public const int AxisHeight = 28;
    private const int RightPad = 16;

    public TimelineLayout(IReadOnlyList<TimelineRow> rows, DateOnly from, DateOnly to, DateOnly today)
    {
        if (to <= from)
            to = from.AddDays(1);
        Rows = rows;
        From = from;
        To = to;
        Today = today;
        Height = AxisHeight + Math.Max(1, rows.Count) * RowHeight + 8;
        var span = to.DayNumber - from.DayNumber;
        var step = span > 1100 ? 12 : span > 500 ? 3 : 1;
        var ticks = new List<(double, string)>();
        for (var month = new DateOnly(from.Year, from.Month, 1).AddMonths(1); month < to; month = month.AddMonths(step))
        {
            if (step > 1 && (month.Month - 1) % step != 0)
            {
                month = month.AddMonths(-((month.Month - 1) % step));
                if (month <= from)
                    continue;
            }
            ticks.Add((X(month), month.Month == 1 || step == 12 ? month.ToString("yyyy", CultureInfo.InvariantCulture) : month.ToString("MMM", CultureInfo.InvariantCulture)));
        }
        Ticks = ticks;
    }

    public IReadOnlyList<TimelineRow> Rows { get; }
    public DateOnly From { get; }
    public DateOnly To { get; }
    public DateOnly Today { get; }
    public int Height { get; }
    public IReadOnlyList<(double X, string Label)> Ticks { get; }

    public double X(DateOnly date)
    {
        var clamped = Math.Clamp(date.DayNumber, From.DayNumber, To.DayNumber);
        return Math.Round(LabelWidth + (double)(clamped - From.DayNumber) / (To.DayNumber - From.DayNumber) * (Width - LabelWidth - RightPad), 1);
    }

    public double RowY(int index) => AxisHeight + index * RowHeight + RowHeight / 2.0;

    public static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
