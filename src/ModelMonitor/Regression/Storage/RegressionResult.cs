using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Regression.Storage;

/// One case on one side of a run, stored as it finishes, so an interrupted run resumes from here.
public sealed class RegressionResult
{
    public long RunId { get; set; }
    public required string CaseId { get; set; }

    // 'baseline' | 'candidate'
    public required string Side { get; set; }

    // 'passed' | 'failed' | 'error'
    public required string Status { get; set; }
    public string? Output { get; set; }
    public double LatencyMs { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public bool TokensEstimated { get; set; }
    public decimal? CostUsd { get; set; }
    public int Attempts { get; set; }
    public string? Error { get; set; }

    // The assertion results (jsonb array of {type, pass, score, reason, error}).
    public required string Assertions { get; set; }
    public DateTimeOffset FinishedAt { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<RegressionResult>
    {
        public void Configure(EntityTypeBuilder<RegressionResult> e)
        {
            e.ToTable("regression_results", t =>
            {
                t.HasCheckConstraint("ck_regression_results_side", "side IN ('baseline', 'candidate')");
                t.HasCheckConstraint("ck_regression_results_status", "status IN ('passed', 'failed', 'error')");
            });
            e.HasKey(r => new { r.RunId, r.CaseId, r.Side });
            e.Property(r => r.CaseId).HasMaxLength(32);
            e.Property(r => r.Side).HasMaxLength(16);
            e.Property(r => r.Status).HasMaxLength(16);
            e.Property(r => r.CostUsd).HasPrecision(18, 10);
            e.Property(r => r.Assertions).HasColumnType("jsonb");
            e.HasOne<RegressionRun>().WithMany().HasForeignKey(r => r.RunId).OnDelete(DeleteBehavior.Cascade);
        }
    }
}
