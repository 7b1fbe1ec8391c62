using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ModelMonitor.Sources;

namespace ModelMonitor.Catalog;

/// One fact as one source stated it at one time, with the text it came from.
public sealed class LifecycleObservation
{
    public long Id { get; set; }
    public long SnapshotId { get; set; }
    public required string SourceName { get; set; }
    public SourceAuthority Authority { get; set; }
    public required string Provider { get; set; }
    public required string Model { get; set; }
    public string Version { get; set; } = "";
    public List<string> Aliases { get; set; } = [];
    public LifecycleStatus? Status { get; set; }
    public DateOnly? ReleasedOn { get; set; }
    public DateOnly? DeprecatedOn { get; set; }
    public DateOnly? RetiresOn { get; set; }
    public bool RetiresOnIsEstimate { get; set; }
    public DatePrecision RetiresOnPrecision { get; set; } = DatePrecision.Day;
    public List<string> Replacements { get; set; } = [];
    public int? ContextWindow { get; set; }
    public decimal? InputCostPerMillionTokens { get; set; }
    public decimal? OutputCostPerMillionTokens { get; set; }
    public string? Section { get; set; }
    public string? Evidence { get; set; }
    public List<string> Problems { get; set; } = [];
    public required string Url { get; set; }
    public DateTimeOffset FetchedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<LifecycleObservation>
    {
        public void Configure(EntityTypeBuilder<LifecycleObservation> e)
        {
            e.ToTable("observations");
            e.HasIndex(o => new { o.Provider, o.Model, o.Version });
            e.HasIndex(o => o.SnapshotId);
            e.Property(o => o.SourceName).HasMaxLength(64);
            e.Property(o => o.Authority).HasConversion<string>().HasMaxLength(16);
            e.Property(o => o.Provider).HasMaxLength(64);
            e.Property(o => o.Model).HasMaxLength(200);
            e.Property(o => o.Version).HasMaxLength(64);
            e.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(o => o.RetiresOnPrecision).HasConversion<string>().HasMaxLength(8);
            e.Property(o => o.InputCostPerMillionTokens).HasPrecision(18, 6);
            e.Property(o => o.OutputCostPerMillionTokens).HasPrecision(18, 6);
            e.Property(o => o.Section).HasMaxLength(500);
            e.Property(o => o.Evidence).HasMaxLength(4000);
            e.HasOne<Snapshot>().WithMany().HasForeignKey(o => o.SnapshotId);
        }
    }
}
