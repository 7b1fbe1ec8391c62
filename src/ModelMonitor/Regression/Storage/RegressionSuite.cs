using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Regression.Storage;

/// A suite registered for an app: the file as sent (so a run re-parses exactly what was validated) and its identity.
public sealed class RegressionSuite
{
    public const string Yaml = "yaml";
    public const string Json = "json";

    public long Id { get; set; }
    public long AppId { get; set; }
    public required string Name { get; set; }
    public required string Source { get; set; }
    public required string Format { get; set; }
    public required string Sha256 { get; set; }
    public int CaseCount { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<RegressionSuite>
    {
        public void Configure(EntityTypeBuilder<RegressionSuite> e)
        {
            e.ToTable("regression_suites", t =>
            {
                t.HasCheckConstraint("ck_regression_suites_format", "format IN ('yaml', 'json')");
                t.HasCheckConstraint("ck_regression_suites_name", "name ~ '^[a-z0-9-]{1,63}$'");
            });
            e.HasIndex(s => new { s.AppId, s.Name }).IsUnique();
            e.Property(s => s.Name).HasMaxLength(63);
            e.Property(s => s.Format).HasMaxLength(8);
            e.Property(s => s.Sha256).HasMaxLength(64);
            e.HasOne<Pins.App>().WithMany().HasForeignKey(s => s.AppId).OnDelete(DeleteBehavior.Cascade);
        }
    }
}
