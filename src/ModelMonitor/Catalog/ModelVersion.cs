using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Catalog;

/// The catalog's current view of one model version on one platform, derived from observations.
public sealed class ModelVersion
{
    public long Id { get; set; }
    public required string Provider { get; set; }
    public required string Model { get; set; }

    // Empty unless the platform versions a model separately (Azure: gpt-4o + 2024-11-20).
    public string Version { get; set; } = "";

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

    // The source whose observation the current view was taken from.
    public string? CurrentSource { get; set; }

    // The source the retirement date came from (a registry may fill a date no provider page gives).
    public string? RetiresOnSource { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    // Set when the model no longer appears on the page that described it; nothing is deleted.
    public DateTimeOffset? VanishedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<ModelVersion>
    {
        public void Configure(EntityTypeBuilder<ModelVersion> e)
        {
            e.ToTable("model_versions");
            e.HasIndex(m => new { m.Provider, m.Model, m.Version }).IsUnique();
            e.HasIndex(m => m.RetiresOn);
            e.Property(m => m.Provider).HasMaxLength(64);
            e.Property(m => m.Model).HasMaxLength(200);
            e.Property(m => m.Version).HasMaxLength(64);
            e.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(m => m.RetiresOnPrecision).HasConversion<string>().HasMaxLength(8);
            e.Property(m => m.CurrentSource).HasMaxLength(64);
            e.Property(m => m.RetiresOnSource).HasMaxLength(64);
            e.Property(m => m.InputCostPerMillionTokens).HasPrecision(18, 6);
            e.Property(m => m.OutputCostPerMillionTokens).HasPrecision(18, 6);
            e.HasOne<Provider>().WithMany().HasForeignKey(m => m.Provider);
        }
    }
}

public enum LifecycleStatus
{
    Preview,
    Active,
    Deprecated,
    Legacy,
    Retired,
}

public enum DatePrecision
{
    Day,
    Month,
}
