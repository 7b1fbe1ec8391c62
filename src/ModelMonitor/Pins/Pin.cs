using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Pins;

/// One model version an app sends requests to, on one platform, in one environment.
public sealed class Pin
{
    public long Id { get; set; }
    public long AppId { get; set; }
    public required string Provider { get; set; }
    public required string Model { get; set; }
    public string Version { get; set; } = "";

    // Where the app calls the model when that differs from the provider (anthropic model on aws-bedrock).
    public string? Platform { get; set; }
    public string? Region { get; set; }
    public string Environment { get; set; } = "";
    public long? MonthlyInputTokens { get; set; }
    public long? MonthlyOutputTokens { get; set; }

    // For a pin of an alias: the target it resolved to when last checked, so a re-point is visible.
    public string? ResolvedModel { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public App? App { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<Pin>
    {
        public void Configure(EntityTypeBuilder<Pin> e)
        {
            e.ToTable("pins");
            // The same model on two platforms (Anthropic's API and Bedrock) has two lifecycles: two pins.
            // Platform and region are nullable, so NULLs must compare equal for the key to hold.
            e.HasIndex(p => new { p.AppId, p.Provider, p.Model, p.Version, p.Platform, p.Region, p.Environment }).IsUnique().AreNullsDistinct(false);
            e.HasIndex(p => new { p.Provider, p.Model, p.Version });
            // The few pins that follow a platform's lifecycle or an alias's target, which notification planning
            // cannot reach through the index above; without this it reads every pin on every run.
            e.HasIndex(p => p.Id).HasFilter("platform IS NOT NULL OR resolved_model IS NOT NULL").HasDatabaseName("ix_pins_platform_or_alias");
            e.Property(p => p.Provider).HasMaxLength(64);
            e.Property(p => p.Model).HasMaxLength(200);
            e.Property(p => p.Version).HasMaxLength(64);
            e.Property(p => p.Platform).HasMaxLength(64);
            e.Property(p => p.Region).HasMaxLength(64);
            e.Property(p => p.Environment).HasMaxLength(63);
            e.Property(p => p.ResolvedModel).HasMaxLength(200);
            e.HasOne(p => p.App).WithMany(a => a.Pins).HasForeignKey(p => p.AppId).OnDelete(DeleteBehavior.Cascade);
        }
    }
}
