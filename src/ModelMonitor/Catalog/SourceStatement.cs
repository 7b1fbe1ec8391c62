using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ModelMonitor.Sources;

namespace ModelMonitor.Catalog;

/// What one source currently says about one model version: its occurrences on the page merged into one
/// statement (the most recently announced wins). The catalog's view is derived from these with precedence;
/// disagreements between them are the conflicts. A statement that left its page is kept, marked vanished.
public sealed class SourceStatement
{
    public long Id { get; set; }
    public required string SourceName { get; set; }
    public SourceAuthority Authority { get; set; }
    public required string Provider { get; set; }
    public required string Model { get; set; }
    public string Version { get; set; } = "";

    public LifecycleStatus? Status { get; set; }
    public DateOnly? ReleasedOn { get; set; }
    public DateOnly? DeprecatedOn { get; set; }
    public DateOnly? RetiresOn { get; set; }
    public bool RetiresOnIsEstimate { get; set; }
    public DatePrecision RetiresOnPrecision { get; set; } = DatePrecision.Day;
    public List<string> Replacements { get; set; } = [];
    public List<string> Aliases { get; set; } = [];
    public int? ContextWindow { get; set; }
    public decimal? InputCostPerMillionTokens { get; set; }
    public decimal? OutputCostPerMillionTokens { get; set; }
    public string? Section { get; set; }
    public string? Evidence { get; set; }
    public required string Url { get; set; }

    // The observation and snapshot that first stated what this row now says (unchanged restatements don't touch it).
    public long ObservationId { get; set; }
    public long SnapshotId { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? VanishedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<SourceStatement>
    {
        public void Configure(EntityTypeBuilder<SourceStatement> e)
        {
            e.ToTable("source_statements");
            e.HasIndex(s => new { s.SourceName, s.Provider, s.Model, s.Version }).IsUnique();
            e.HasIndex(s => new { s.Provider, s.Model, s.Version });
            e.Property(s => s.SourceName).HasMaxLength(64);
            e.Property(s => s.Authority).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Provider).HasMaxLength(64);
            e.Property(s => s.Model).HasMaxLength(200);
            e.Property(s => s.Version).HasMaxLength(64);
            e.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.RetiresOnPrecision).HasConversion<string>().HasMaxLength(8);
            e.Property(s => s.InputCostPerMillionTokens).HasPrecision(18, 6);
            e.Property(s => s.OutputCostPerMillionTokens).HasPrecision(18, 6);
            e.Property(s => s.Section).HasMaxLength(500);
            e.Property(s => s.Evidence).HasMaxLength(4000);
            e.Property(s => s.Url).HasMaxLength(2000);
            e.HasOne<Provider>().WithMany().HasForeignKey(s => s.Provider);
            e.HasOne<LifecycleObservation>().WithMany().HasForeignKey(s => s.ObservationId);
        }
    }
}
