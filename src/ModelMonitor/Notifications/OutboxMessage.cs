using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Notifications;

/// One delivery to make: a digest by email or webhook, or a GitHub issue to open, update or close.
/// Rows are never deleted: a sent one keeps SentAt, a failing one its attempts, next attempt and last error,
/// a given-up one FailedAt.
public sealed class OutboxMessage
{
    public long Id { get; set; }
    public required string Channel { get; set; }
    public long? DigestId { get; set; }
    public long? TeamId { get; set; }
    public long? GitHubIssueId { get; set; }

    // The webhook URL, or the repository, as it was when planned.
    public string? Target { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? SentAt { get; set; }

    // Given up: a permanent refusal (SMTP 5xx for every recipient, a webhook URL no longer allowed) or
    // Notifications:Delivery:MaxAttempts failures. Kept with LastError, never claimed again.
    public DateTimeOffset? FailedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<OutboxMessage>
    {
        public void Configure(EntityTypeBuilder<OutboxMessage> e)
        {
            e.ToTable("outbox");
            e.Property(o => o.Channel).HasMaxLength(16);
            e.Property(o => o.GitHubIssueId).HasColumnName("github_issue_id");
            e.Property(o => o.Target).HasMaxLength(2000);
            e.Property(o => o.LastError).HasMaxLength(2000);
            e.HasIndex(o => new { o.Channel, o.NextAttemptAt }).HasFilter("sent_at IS NULL").HasDatabaseName("ix_outbox_due");
            e.HasIndex(o => o.FailedAt).HasFilter("failed_at IS NOT NULL");
            e.HasIndex(o => o.DigestId);
            e.HasOne<Digest>().WithMany().HasForeignKey(o => o.DigestId);
            e.HasOne<GitHubIssue>().WithMany().HasForeignKey(o => o.GitHubIssueId);
        }
    }
}

public static class Channels
{
    public const string Email = "email";
    public const string Webhook = "webhook";
    public const string GitHub = "github";
}
