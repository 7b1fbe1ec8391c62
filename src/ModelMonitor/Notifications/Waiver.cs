using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Notifications;

/// A team's acknowledgement of a pin's alerts until a date (inclusive). It names the pin by what it pins, not
/// by row id, because a PUT of the app replaces its pin rows. A retirement moved earlier after the waiver was
/// given reopens it; nothing needs to delete an expired one.
public sealed class Waiver
{
    public long Id { get; set; }
    public long AppId { get; set; }
    public required string Provider { get; set; }
    public required string Model { get; set; }
    public string Version { get; set; } = "";
    public string Environment { get; set; } = "";
    public DateOnly Until { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<Waiver>
    {
        public void Configure(EntityTypeBuilder<Waiver> e)
        {
            e.ToTable("waivers");
            e.HasIndex(w => new { w.AppId, w.Provider, w.Model, w.Version, w.Environment });
            e.Property(w => w.Provider).HasMaxLength(64);
            e.Property(w => w.Model).HasMaxLength(200);
            e.Property(w => w.Version).HasMaxLength(64);
            e.Property(w => w.Environment).HasMaxLength(63);
            e.Property(w => w.Reason).HasMaxLength(500);
            e.HasOne<Pins.App>().WithMany().HasForeignKey(w => w.AppId).OnDelete(DeleteBehavior.Cascade);
        }
    }
}

/// A team's webhook: where its digests are POSTed as JSON. The signing secret is derived from
/// Notifications:WebhookKey, the team and SecretVersion (bumped to rotate), never stored.
public sealed class TeamWebhook
{
    public long TeamId { get; set; }
    public required string Url { get; set; }
    public int SecretVersion { get; set; } = 1;
    public DateTimeOffset CreatedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<TeamWebhook>
    {
        public void Configure(EntityTypeBuilder<TeamWebhook> e)
        {
            e.ToTable("team_webhooks");
            e.HasKey(w => w.TeamId);
            e.Property(w => w.Url).HasMaxLength(2000);
            e.HasOne<Pins.Team>().WithOne().HasForeignKey<TeamWebhook>(w => w.TeamId).OnDelete(DeleteBehavior.Cascade);
        }
    }
}

/// The GitHub issue Monitor keeps in an app's repository for one pinned model: opened at the first alert,
/// updated as things change, closed when the app stops pinning the model. Found again by Marker in its body.
public sealed class GitHubIssue
{
    public long Id { get; set; }
    public long AppId { get; set; }
    public required string Provider { get; set; }
    public required string Model { get; set; }
    public string Version { get; set; } = "";
    public string Environment { get; set; } = "";
    public required string Repository { get; set; }
    public required string Marker { get; set; }
    public int? Number { get; set; }

    // "open" while the app pins the model; "closed" once it moved.
    public required string State { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<GitHubIssue>
    {
        public void Configure(EntityTypeBuilder<GitHubIssue> e)
        {
            e.ToTable("github_issues");
            e.HasIndex(g => new { g.AppId, g.Provider, g.Model, g.Version, g.Environment }).IsUnique();
            e.Property(g => g.Provider).HasMaxLength(64);
            e.Property(g => g.Model).HasMaxLength(200);
            e.Property(g => g.Version).HasMaxLength(64);
            e.Property(g => g.Environment).HasMaxLength(63);
            e.Property(g => g.Repository).HasMaxLength(200);
            e.Property(g => g.Marker).HasMaxLength(600);
            e.Property(g => g.State).HasMaxLength(8);
            e.HasOne<Pins.App>().WithMany().HasForeignKey(g => g.AppId).OnDelete(DeleteBehavior.Cascade);
        }
    }
}
