using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Catalog;

/// One period during which an alias (gpt-4o, claude-3-5-sonnet-latest) pointed at a target.
/// A re-point closes the current row and opens a new one, so the history is the table.
public sealed class ModelAlias
{
    public long Id { get; set; }
    public required string Provider { get; set; }
    public required string Alias { get; set; }
    public required string Target { get; set; }
    public DateTimeOffset ValidFrom { get; set; }
    public DateTimeOffset? ValidTo { get; set; }
    public string? SourceName { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<ModelAlias>
    {
        public void Configure(EntityTypeBuilder<ModelAlias> e)
        {
            e.ToTable("model_aliases");
            e.Property(a => a.Provider).HasMaxLength(64);
            e.Property(a => a.Alias).HasMaxLength(200);
            e.Property(a => a.Target).HasMaxLength(200);
            e.Property(a => a.SourceName).HasMaxLength(64);
            // At most one current target per alias.
            e.HasIndex(a => new { a.Provider, a.Alias }).IsUnique().HasFilter("valid_to IS NULL");
            e.HasOne<Provider>().WithMany().HasForeignKey(a => a.Provider);
        }
    }
}
