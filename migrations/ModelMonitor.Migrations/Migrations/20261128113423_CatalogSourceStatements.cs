using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ModelMonitor.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class CatalogSourceStatements : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "retires_on_source",
                table: "model_versions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "source_statements",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    source_name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    authority = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    released_on = table.Column<DateOnly>(type: "date", nullable: true),
                    deprecated_on = table.Column<DateOnly>(type: "date", nullable: true),
                    retires_on = table.Column<DateOnly>(type: "date", nullable: true),
                    retires_on_is_estimate = table.Column<bool>(type: "boolean", nullable: false),
                    retires_on_precision = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    replacements = table.Column<List<string>>(type: "text[]", nullable: false),
                    aliases = table.Column<List<string>>(type: "text[]", nullable: false),
                    context_window = table.Column<int>(type: "integer", nullable: true),
                    input_cost_per_million_tokens = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    output_cost_per_million_tokens = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    section = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    evidence = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    observation_id = table.Column<long>(type: "bigint", nullable: false),
                    snapshot_id = table.Column<long>(type: "bigint", nullable: false),
                    first_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    vanished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_source_statements", x => x.id);
                    table.ForeignKey(
                        name: "fk_source_statements_observations_observation_id",
                        column: x => x.observation_id,
                        principalTable: "observations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_source_statements_providers_provider",
                        column: x => x.provider,
                        principalTable: "providers",
                        principalColumn: "name",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_source_statements_observation_id",
                table: "source_statements",
                column: "observation_id");

            migrationBuilder.CreateIndex(
                name: "ix_source_statements_provider_model_version",
                table: "source_statements",
                columns: new[] { "provider", "model", "version" });

            migrationBuilder.CreateIndex(
                name: "ix_source_statements_source_name_provider_model_version",
                table: "source_statements",
                columns: new[] { "source_name", "provider", "model", "version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "source_statements");

            migrationBuilder.DropColumn(
                name: "retires_on_source",
                table: "model_versions");
        }
    }
}
