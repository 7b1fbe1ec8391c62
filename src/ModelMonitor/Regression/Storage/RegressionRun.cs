using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Regression.Storage;

/// One execution of a suite for a pin: baseline (the pinned model) against candidate (its successor).
/// Queued by the API, the CLI or the automatic triggers; claimed and executed by RunExecutor.
public sealed class RegressionRun
{
    public long Id { get; set; }
    public long AppId { get; set; }
    public long SuiteId { get; set; }

    // Null once the pin is deleted; the run and its results stay.
    public long? PinId { get; set; }

    // endpoint:model as called; null when no endpoint serves the pin's provider (the run is then failed).
    public string? Baseline { get; set; }
    public string? Candidate { get; set; }

    // The catalog ids the two stand for (for an alias pin, the version it resolved to).
    public required string BaselineModel { get; set; }
    public required string CandidateModel { get; set; }
    public required string Trigger { get; set; }

    // Results imported rather than run live (the offline demo); pages label such runs.
    public bool Recorded { get; set; }
    public required string Status { get; set; }
    public string? Error { get; set; }
    public decimal? BudgetUsd { get; set; }

    // The suite's SHA-256 when the run started: stored results are only resumed for the same file.
    public string? SuiteSha256 { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }

    // Renewed while a node executes the run; a running run whose heartbeat is stale was orphaned by a crash.
    public DateTimeOffset? HeartbeatAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public decimal SpentUsd { get; set; }
    public string? Verdict { get; set; }

    // The serialized RegressionReport (jsonb).
    public string? Report { get; set; }

    internal sealed class Configuration : IEntityTypeConfiguration<RegressionRun>
    {
        public void Configure(EntityTypeBuilder<RegressionRun> e)
        {
            e.ToTable("regression_runs", t =>
            {
                t.HasCheckConstraint("ck_regression_runs_trigger",
                    "trigger IN ('manual', 'successor-changed', 'alias-repointed', 'retirement-near', 'recorded')");
                t.HasCheckConstraint("ck_regression_runs_status",
                    "status IN ('queued', 'running', 'completed', 'cancelled', 'budget-exhausted', 'failed')");
                t.HasCheckConstraint("ck_regression_runs_verdict",
                    "verdict IS NULL OR verdict IN ('ready', 'needs-review', 'not-ready', 'unknown', 'upgrade-recommended')");
            });
            e.Property(r => r.Baseline).HasMaxLength(300);
            e.Property(r => r.Candidate).HasMaxLength(300);
            e.Property(r => r.BaselineModel).HasMaxLength(200);
            e.Property(r => r.CandidateModel).HasMaxLength(200);
            e.Property(r => r.Trigger).HasMaxLength(24);
            e.Property(r => r.Status).HasMaxLength(24);
            e.Property(r => r.SuiteSha256).HasMaxLength(64);
            e.Property(r => r.Verdict).HasMaxLength(24);
            e.Property(r => r.SpentUsd).HasPrecision(18, 8);
            e.Property(r => r.BudgetUsd).HasPrecision(18, 8);
            e.Property(r => r.Report).HasColumnType("jsonb");
            e.HasIndex(r => new { r.AppId, r.RequestedAt });
            e.HasIndex(r => new { r.PinId, r.SuiteId, r.RequestedAt });
            // The arbiter against duplicates: one live run per pin and suite, whoever queues it.
            e.HasIndex(r => new { r.PinId, r.SuiteId }).IsUnique().HasFilter("status IN ('queued', 'running')")
                .HasDatabaseName("ux_regression_runs_live");
            // What the executor claims from.
            e.HasIndex(r => r.RequestedAt).HasFilter("status IN ('queued', 'running')").HasDatabaseName("ix_regression_runs_pending");
            e.HasOne<Pins.App>().WithMany().HasForeignKey(r => r.AppId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<RegressionSuite>().WithMany().HasForeignKey(r => r.SuiteId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Pins.Pin>().WithMany().HasForeignKey(r => r.PinId).OnDelete(DeleteBehavior.SetNull);
        }
    }
}

public static class RunStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string BudgetExhausted = "budget-exhausted";
    public const string Failed = "failed";

    public static bool IsFinished(string status) => status is Completed or Cancelled or BudgetExhausted or Failed;
}

public static class RunTrigger
{
    public const string Manual = "manual";
    public const string SuccessorChanged = "successor-changed";
    public const string AliasRepointed = "alias-repointed";
    public const string RetirementNear = "retirement-near";
    public const string Recorded = "recorded";
}
