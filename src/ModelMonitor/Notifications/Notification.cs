using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Notifications;

/// One thing a team is told about one pin, planned once: the idempotency key (team, app, pin, reason,
/// milestone or date) is unique, so a second planning run cannot plan it again. The facts are copied as they
/// stood when planned, so a digest rendered again later (a retry) says the same thing.
public sealed class Notification
{
    public long Id { get; set; }
    public required string IdempotencyKey { get; set; }
    public long RunId { get; set; }

    // Null for the operators' items (unhealthy sources).
    public long? TeamId { get; set; }
    public long? AppId { get; set; }
    public long? PinId { get; set; }

    public required string Reason { get; set; }
    public string Provider { get; set; } = "";
    public string Model { get; set; } = "";
    public string Version { get; set; } = "";
    public string Environment { get; set; } = "";
    public string Platform { get; set; } = "";
    public int? Milestone { get; set; }
    public DateOnly? RetiresOn { get; set; }
    public bool IsEstimate { get; set; }
    public string? Precision { get; set; }
    public int? DaysLeft { get; set; }
    public string? Successor { get; set; }
    public string Verdict { get; set; } = Readiness.Unknown;

    // What changed, for reasons that come from a change event or a source (old → new, the source's error).
    public string? Detail { get; set; }

    // Not-ready pins copy the team's escalation addresses.
    public bool Escalate { get; set; }

    // Informational items (a date moved later) ride along with the next digest but never cause one.
    public bool Informational { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<Notification>
    {
        public void Configure(EntityTypeBuilder<Notification> e)
        {
            e.ToTable("notifications");
            e.HasIndex(n => n.IdempotencyKey).IsUnique();
            // A digest is its team's items in a range of runs; few indexes keep planning's inserts cheap.
            e.HasIndex(n => new { n.TeamId, n.RunId });
            // Planning finds its run's items by run. No foreign key to notification_runs: the run row is written in
            // the same transaction as its items and runs are never deleted, while checking it cost a trigger call per
            // item (about 15 % of a 144,000-item first run).
            e.HasIndex(n => n.RunId);
            e.Property(n => n.IdempotencyKey).HasMaxLength(600);
            e.Property(n => n.Reason).HasMaxLength(32);
            e.Property(n => n.Provider).HasMaxLength(64);
            e.Property(n => n.Model).HasMaxLength(200);
            e.Property(n => n.Version).HasMaxLength(64);
            e.Property(n => n.Environment).HasMaxLength(63);
            e.Property(n => n.Platform).HasMaxLength(64);
            e.Property(n => n.Precision).HasMaxLength(8);
            e.Property(n => n.Successor).HasMaxLength(200);
            e.Property(n => n.Verdict).HasMaxLength(16);
            e.Property(n => n.Detail).HasMaxLength(2000);
            // Teams, apps and pins may be deleted; what was told about them stays.
            e.HasOne<Pins.Team>().WithMany().HasForeignKey(n => n.TeamId).OnDelete(DeleteBehavior.SetNull);
        }
    }
}

/// Why an item is in a digest. Strings in the database, so the planning SQL reads plainly.
public static class Reasons
{
    public const string Milestone = "milestone";
    public const string Retired = "retired";
    public const string Deprecated = "deprecated";
    public const string DateSet = "date-set";
    public const string MovedEarlier = "moved-earlier";
    public const string MovedLater = "moved-later";
    public const string DateFirm = "date-firm";
    public const string ReplacementChanged = "replacement-changed";
    public const string AliasRepointed = "alias-repointed";
    public const string VerdictChanged = "verdict-changed";
    public const string SourceUnhealthy = "source-unhealthy";
}

/// One planning run: when, for which day, and how far through the change events it read.
public sealed class NotificationRun
{
    public long Id { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateOnly AsOf { get; set; }
    public long EventWatermark { get; set; }
    public int Planned { get; set; }
    public int Digests { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<NotificationRun>
    {
        public void Configure(EntityTypeBuilder<NotificationRun> e) => e.ToTable("notification_runs");
    }
}

/// One message per team per planning run (team null: the operators' digest). It holds the team's notifications
/// planned after the team's previous digest, up to and including its run. Its content is rendered from them
/// whenever it is sent, and its Message-Id derives from its id, so a resend is recognisable.
public sealed class Digest
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public long? TeamId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<Digest>
    {
        public void Configure(EntityTypeBuilder<Digest> e)
        {
            e.ToTable("digests");
            e.HasIndex(d => new { d.RunId, d.TeamId }).IsUnique();
            e.HasOne<NotificationRun>().WithMany().HasForeignKey(d => d.RunId);
            e.HasOne<Pins.Team>().WithMany().HasForeignKey(d => d.TeamId).OnDelete(DeleteBehavior.SetNull);
        }
    }
}
