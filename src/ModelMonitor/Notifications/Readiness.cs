using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ModelMonitor.Storage;

namespace ModelMonitor.Notifications;

/// The seam between the regression runner and notifications: a pin's current readiness verdict.
/// The regression side calls <see cref="RecordAsync"/> after each run; notifications read the table in SQL
/// (`COALESCE(pin_readiness.verdict, 'unknown')`). Until a pin has a row, its verdict is `unknown`.
/// ChangedAt moves only when the verdict differs from the stored one, so planning can alert on a change.
public sealed class PinReadiness
{
    public long PinId { get; set; }
    public required string Verdict { get; set; }
    public DateTimeOffset DecidedAt { get; set; }
    public DateTimeOffset ChangedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<PinReadiness>
    {
        public void Configure(EntityTypeBuilder<PinReadiness> e)
        {
            e.ToTable("pin_readiness", t => t.HasCheckConstraint("ck_pin_readiness_verdict",
                "verdict IN ('ready', 'needs-review', 'not-ready', 'unknown')"));
            e.HasKey(r => r.PinId);
            e.Property(r => r.Verdict).HasMaxLength(16);
            e.HasIndex(r => r.ChangedAt);
            e.HasOne<Pins.Pin>().WithOne().HasForeignKey<PinReadiness>(r => r.PinId).OnDelete(DeleteBehavior.Cascade);
        }
    }
}

public static class Readiness
{
    public const string Ready = "ready";
    public const string NeedsReview = "needs-review";
    public const string NotReady = "not-ready";
    public const string Unknown = "unknown";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Ready, NeedsReview, NotReady, Unknown };

    /// Records a pin's verdict (`upgrade-recommended` is recorded as `ready`). One statement, safe to race.
    public static async Task RecordAsync(MonitorDb db, long pinId, string verdict, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var value = verdict == "upgrade-recommended" ? Ready : verdict;
        if (!All.Contains(value))
            throw new ArgumentException($"'{verdict}' is not a readiness verdict (ready, needs-review, not-ready, unknown).", nameof(verdict));
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO pin_readiness (pin_id, verdict, decided_at, changed_at) VALUES ({pinId}, {value}, {at}, {at})
            ON CONFLICT (pin_id) DO UPDATE SET verdict = excluded.verdict, decided_at = excluded.decided_at,
                changed_at = CASE WHEN pin_readiness.verdict = excluded.verdict THEN pin_readiness.changed_at ELSE excluded.changed_at END
            """, cancellationToken);
    }

    /// A pin's current verdict; `unknown` when nothing was recorded.
    public static async Task<string> ForPinAsync(MonitorDb db, long pinId, CancellationToken cancellationToken) =>
        await db.Set<PinReadiness>().Where(r => r.PinId == pinId).Select(r => r.Verdict).FirstOrDefaultAsync(cancellationToken) ?? Unknown;
}
