using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ModelMonitor.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class RegressionRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "regression_suites",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    app_id = table.Column<long>(type: "bigint", nullable: false),
                    name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    source = table.Column<string>(type: "text", nullable: false),
                    format = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    case_count = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_regression_suites", x => x.id);
                    table.CheckConstraint("ck_regression_suites_format", "format IN ('yaml', 'json')");
                    table.CheckConstraint("ck_regression_suites_name", "name ~ '^[a-z0-9-]{1,63}$'");
                    table.ForeignKey(
                        name: "fk_regression_suites_apps_app_id",
                        column: x => x.app_id,
                        principalTable: "apps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "regression_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    app_id = table.Column<long>(type: "bigint", nullable: false),
                    suite_id = table.Column<long>(type: "bigint", nullable: false),
                    pin_id = table.Column<long>(type: "bigint", nullable: true),
                    baseline = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    candidate = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    baseline_model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    candidate_model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    trigger = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    recorded = table.Column<bool>(type: "boolean", nullable: false),
                    status = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    error = table.Column<string>(type: "text", nullable: true),
                    budget_usd = table.Column<decimal>(type: "numeric(18,8)", precision: 18, scale: 8, nullable: true),
                    suite_sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    heartbeat_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    spent_usd = table.Column<decimal>(type: "numeric(18,8)", precision: 18, scale: 8, nullable: false),
                    verdict = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: true),
                    report = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_regression_runs", x => x.id);
                    table.CheckConstraint("ck_regression_runs_status", "status IN ('queued', 'running', 'completed', 'cancelled', 'budget-exhausted', 'failed')");
                    table.CheckConstraint("ck_regression_runs_trigger", "trigger IN ('manual', 'successor-changed', 'alias-repointed', 'retirement-near', 'recorded')");
                    table.CheckConstraint("ck_regression_runs_verdict", "verdict IS NULL OR verdict IN ('ready', 'needs-review', 'not-ready', 'unknown', 'upgrade-recommended')");
                    table.ForeignKey(
                        name: "fk_regression_runs_apps_app_id",
                        column: x => x.app_id,
                        principalTable: "apps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_regression_runs_pins_pin_id",
                        column: x => x.pin_id,
                        principalTable: "pins",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_regression_runs_regression_suite_suite_id",
                        column: x => x.suite_id,
                        principalTable: "regression_suites",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "regression_results",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    case_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    side = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    output = table.Column<string>(type: "text", nullable: true),
                    latency_ms = table.Column<double>(type: "double precision", nullable: false),
                    input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    output_tokens = table.Column<long>(type: "bigint", nullable: false),
                    tokens_estimated = table.Column<bool>(type: "boolean", nullable: false),
                    cost_usd = table.Column<decimal>(type: "numeric(18,10)", precision: 18, scale: 10, nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    error = table.Column<string>(type: "text", nullable: true),
                    assertions = table.Column<string>(type: "jsonb", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_regression_results", x => new { x.run_id, x.case_id, x.side });
                    table.CheckConstraint("ck_regression_results_side", "side IN ('baseline', 'candidate')");
                    table.CheckConstraint("ck_regression_results_status", "status IN ('passed', 'failed', 'error')");
                    table.ForeignKey(
                        name: "fk_regression_results_regression_run_run_id",
                        column: x => x.run_id,
                        principalTable: "regression_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_regression_runs_app_id_requested_at",
                table: "regression_runs",
                columns: new[] { "app_id", "requested_at" });

            migrationBuilder.CreateIndex(
                name: "ix_regression_runs_pending",
                table: "regression_runs",
                column: "requested_at",
                filter: "status IN ('queued', 'running')");

            migrationBuilder.CreateIndex(
                name: "ix_regression_runs_pin_id_suite_id_requested_at",
                table: "regression_runs",
                columns: new[] { "pin_id", "suite_id", "requested_at" });

            migrationBuilder.CreateIndex(
                name: "ix_regression_runs_suite_id",
                table: "regression_runs",
                column: "suite_id");

            migrationBuilder.CreateIndex(
                name: "ux_regression_runs_live",
                table: "regression_runs",
                columns: new[] { "pin_id", "suite_id" },
                unique: true,
                filter: "status IN ('queued', 'running')");

            migrationBuilder.CreateIndex(
                name: "ix_regression_suites_app_id_name",
                table: "regression_suites",
                columns: new[] { "app_id", "name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "regression_results");

            migrationBuilder.DropTable(
                name: "regression_runs");

            migrationBuilder.DropTable(
                name: "regression_suites");
        }
    }
}
