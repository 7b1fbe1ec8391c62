using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Pins;

/// An application of a team, with the model versions it pins.
public sealed class App
{
    public long Id { get; set; }
    public long TeamId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    // "owner/name" of the GitHub repository whose manifest lists the pins, if any.
    public string? Repository { get; set; }
    public string ManifestPath { get; set; } = ".monitor/pins.yaml";
    public string? ManifestSha { get; set; }
    public string? ManifestError { get; set; }
    public DateTimeOffset? ManifestSyncedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Team? Team { get; set; }
    public List<Pin> Pins { get; set; } = [];

    internal sealed class Configuration : IEntityTypeConfiguration<App>
    {
        public void Configure(EntityTypeBuilder<App> e)
        {
            e.ToTable("apps");
            e.HasIndex(a => new { a.TeamId, a.Name }).IsUnique();
            e.Property(a => a.Name).HasMaxLength(63);
            e.Property(a => a.Description).HasMaxLength(2000);
            e.Property(a => a.Repository).HasMaxLength(200);
            e.Property(a => a.ManifestPath).HasMaxLength(500);
            e.Property(a => a.ManifestSha).HasMaxLength(64);
            e.Property(a => a.ManifestError).HasMaxLength(2000);
            e.HasOne(a => a.Team).WithMany(t => t.Apps).HasForeignKey(a => a.TeamId).OnDelete(DeleteBehavior.Cascade);
        }
    }
}
