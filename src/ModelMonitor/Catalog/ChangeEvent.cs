using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Catalog;

/// What reconciling found new about a model version.
public sealed class ChangeEvent
{
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public ChangeKind Kind { get; set; }
    public required string Provider { get; set; }
    public required string Model { get; set; }
    public string Version { get; set; } = "";
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }
    public string? SourceName { get; set; }
    public long? SnapshotId { get; set; }
    public string? Evidence { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<ChangeEvent>
    {
        public void Configure(EntityTypeBuilder<ChangeEvent> e)
        {
            e.ToTable("change_events");
            e.HasIndex(c => c.OccurredAt);
            e.HasIndex(c => new { c.Provider, c.Model, c.Version });
            e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(32);
            e.Property(c => c.Provider).HasMaxLength(64);
            e.Property(c => c.Model).HasMaxLength(200);
            e.Property(c => c.Version).HasMaxLength(64);
            e.Property(c => c.OldValue).HasMaxLength(1000);
            e.Property(c => c.NewValue).HasMaxLength(1000);
            e.Property(c => c.SourceName).HasMaxLength(64);
            e.Property(c => c.Evidence).HasMaxLength(4000);
        }
    }
}

public enum ChangeKind
{
    ModelAdded,
    Deprecated,
    RetirementDateSet,
    RetirementMovedEarlier,
    RetirementMovedLater,
    EstimateBecameFirm,
    ReplacementChanged,
    AliasRepointed,
    Vanished,
    Reappeared,
    Retired,
    StatusChanged,
    // The retirement date the view had is gone (no source states one any more).
    RetirementDateRemoved,
}
