using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Sources;

/// What Monitor knows about one configured source: its health and what the last fetch saw.
public sealed class SourceState
{
    public required string Name { get; set; }
    public required string Provider { get; set; }
    public SourceHealth Health { get; set; } = SourceHealth.Unknown;
    public DateTimeOffset? LastFetchAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    public DateTimeOffset? LastChangeAt { get; set; }
    public int? LastRows { get; set; }
    public string? LastError { get; set; }
    public int ConsecutiveFailures { get; set; }

    // Validators for the next conditional GET, and the hash of the last body that was applied.
    public string? ETag { get; set; }
    public string? LastModified { get; set; }
    public string? ContentHash { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<SourceState>
    {
        public void Configure(EntityTypeBuilder<SourceState> e)
        {
            e.ToTable("sources");
            e.HasKey(s => s.Name);
            e.Property(s => s.Name).HasMaxLength(64);
            e.Property(s => s.Provider).HasMaxLength(64);
            e.Property(s => s.Health).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.LastError).HasMaxLength(2000);
            e.Property(s => s.ETag).HasMaxLength(500);
            e.Property(s => s.LastModified).HasMaxLength(100);
            e.Property(s => s.ContentHash).HasMaxLength(64);
        }
    }
}

public enum SourceHealth
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// Precedence between sources: a provider's own page beats its API, which beats a community registry.
public enum SourceAuthority
{
    ProviderPage = 0,
    ProviderApi = 1,
    Registry = 2,
}
