using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Sources;

/// One fetch of a source: the raw bytes (kept for inspection) and what became of them.
public sealed class Snapshot
{
    public long Id { get; set; }
    public required string SourceName { get; set; }
    public DateTimeOffset FetchedAt { get; set; }
    public required string Url { get; set; }
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? ETag { get; set; }
    public string? LastModified { get; set; }
    public string? ContentHash { get; set; }
    public byte[]? Content { get; set; }
    public int? Rows { get; set; }
    public SnapshotOutcome Outcome { get; set; }
    public string? Error { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<Snapshot>
    {
        public void Configure(EntityTypeBuilder<Snapshot> e)
        {
            e.ToTable("snapshots");
            e.HasIndex(s => new { s.SourceName, s.FetchedAt });
            e.Property(s => s.SourceName).HasMaxLength(64);
            e.Property(s => s.Url).HasMaxLength(2000);
            e.Property(s => s.ContentType).HasMaxLength(200);
            e.Property(s => s.ETag).HasMaxLength(500);
            e.Property(s => s.LastModified).HasMaxLength(100);
            e.Property(s => s.ContentHash).HasMaxLength(64);
            e.Property(s => s.Outcome).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.Error).HasMaxLength(2000);
            e.HasOne<SourceState>().WithMany().HasForeignKey(s => s.SourceName);
        }
    }
}

public enum SnapshotOutcome
{
    // New content whose observations were reconciled into the catalog.
    Applied,
    // Same bytes (or 304): nothing to do.
    Unchanged,
    // Fetched, but the content failed a sanity check; kept for inspection, catalog untouched.
    Rejected,
    // The fetch itself failed.
    Failed,
}
