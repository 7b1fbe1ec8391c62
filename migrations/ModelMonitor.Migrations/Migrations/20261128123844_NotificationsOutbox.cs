using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ModelMonitor.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class NotificationsOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "github_issues",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    app_id = table.Column<long>(type: "bigint", nullable: false),
                    provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    environment = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    repository = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    marker = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: false),
                    number = table.Column<int>(type: "integer", nullable: true),
                    state = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_github_issues", x => x.id);
                    table.ForeignKey(
                        name: "fk_github_issues_apps_app_id",
                        column: x => x.app_id,
                        principalTable: "apps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notification_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    as_of = table.Column<DateOnly>(type: "date", nullable: false),
                    event_watermark = table.Column<long>(type: "bigint", nullable: false),
                    planned = table.Column<int>(type: "integer", nullable: false),
                    digests = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notification_runs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pin_readiness",
                columns: table => new
                {
                    pin_id = table.Column<long>(type: "bigint", nullable: false),
                    verdict = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pin_readiness", x => x.pin_id);
                    table.CheckConstraint("ck_pin_readiness_verdict", "verdict IN ('ready', 'needs-review', 'not-ready', 'unknown')");
                    table.ForeignKey(
                        name: "fk_pin_readiness_pins_pin_id",
                        column: x => x.pin_id,
                        principalTable: "pins",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "team_webhooks",
                columns: table => new
                {
                    team_id = table.Column<long>(type: "bigint", nullable: false),
                    url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    secret_version = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_team_webhooks", x => x.team_id);
                    table.ForeignKey(
                        name: "fk_team_webhooks_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "waivers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    app_id = table.Column<long>(type: "bigint", nullable: false),
                    provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    environment = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    until = table.Column<DateOnly>(type: "date", nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_waivers", x => x.id);
                    table.ForeignKey(
                        name: "fk_waivers_apps_app_id",
                        column: x => x.app_id,
                        principalTable: "apps",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "digests",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    team_id = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_digests", x => x.id);
                    table.ForeignKey(
                        name: "fk_digests_notification_run_run_id",
                        column: x => x.run_id,
                        principalTable: "notification_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_digests_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    idempotency_key = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: false),
                    run_id = table.Column<long>(type: "bigint", nullable: false),
                    team_id = table.Column<long>(type: "bigint", nullable: true),
                    app_id = table.Column<long>(type: "bigint", nullable: true),
                    pin_id = table.Column<long>(type: "bigint", nullable: true),
                    reason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    environment = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    platform = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    milestone = table.Column<int>(type: "integer", nullable: true),
                    retires_on = table.Column<DateOnly>(type: "date", nullable: true),
                    is_estimate = table.Column<bool>(type: "boolean", nullable: false),
                    precision = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    days_left = table.Column<int>(type: "integer", nullable: true),
                    successor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    verdict = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    detail = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    escalate = table.Column<bool>(type: "boolean", nullable: false),
                    informational = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications", x => x.id);
                    table.ForeignKey(
                        name: "fk_notifications_notification_run_run_id",
                        column: x => x.run_id,
                        principalTable: "notification_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_notifications_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "outbox",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    digest_id = table.Column<long>(type: "bigint", nullable: true),
                    team_id = table.Column<long>(type: "bigint", nullable: true),
                    github_issue_id = table.Column<long>(type: "bigint", nullable: true),
                    target = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    claimed_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox", x => x.id);
                    table.ForeignKey(
                        name: "fk_outbox_digests_digest_id",
                        column: x => x.digest_id,
                        principalTable: "digests",
                        principalColumn: "id");
                    table.ForeignKey(
                        name: "fk_outbox_github_issues_github_issue_id",
                        column: x => x.github_issue_id,
                        principalTable: "github_issues",
                        principalColumn: "id");
                });

            migrationBuilder.CreateIndex(
                name: "ix_digests_run_id_team_id",
                table: "digests",
                columns: new[] { "run_id", "team_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_digests_team_id",
                table: "digests",
                column: "team_id");

            migrationBuilder.CreateIndex(
                name: "ix_github_issues_app_id_provider_model_version_environment",
                table: "github_issues",
                columns: new[] { "app_id", "provider", "model", "version", "environment" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_notifications_idempotency_key",
                table: "notifications",
                column: "idempotency_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_notifications_run_id",
                table: "notifications",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_team_id_run_id",
                table: "notifications",
                columns: new[] { "team_id", "run_id" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_digest_id",
                table: "outbox",
                column: "digest_id");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_due",
                table: "outbox",
                columns: new[] { "channel", "next_attempt_at" },
                filter: "sent_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_github_issue_id",
                table: "outbox",
                column: "github_issue_id");

            migrationBuilder.CreateIndex(
                name: "ix_pin_readiness_changed_at",
                table: "pin_readiness",
                column: "changed_at");

            migrationBuilder.CreateIndex(
                name: "ix_waivers_app_id_provider_model_version_environment",
                table: "waivers",
                columns: new[] { "app_id", "provider", "model", "version", "environment" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropTable(
                name: "outbox");

            migrationBuilder.DropTable(
                name: "pin_readiness");

            migrationBuilder.DropTable(
                name: "team_webhooks");

            migrationBuilder.DropTable(
                name: "waivers");

            migrationBuilder.DropTable(
                name: "digests");

            migrationBuilder.DropTable(
                name: "github_issues");

            migrationBuilder.DropTable(
                name: "notification_runs");
        }
    }
}
