using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ModelMonitor.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class OutboxFailedAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "failed_at",
                table: "outbox",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_failed_at",
                table: "outbox",
                column: "failed_at",
                filter: "failed_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_failed_at",
                table: "outbox");

            migrationBuilder.DropColumn(
                name: "failed_at",
                table: "outbox");
        }
    }
}
