using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ModelMonitor.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class PlanningWithoutRunForeignKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_notifications_notification_run_run_id",
                table: "notifications");

            migrationBuilder.CreateIndex(
                name: "ix_pins_platform_or_alias",
                table: "pins",
                column: "id",
                filter: "platform IS NOT NULL OR resolved_model IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_pins_platform_or_alias",
                table: "pins");

            migrationBuilder.AddForeignKey(
                name: "fk_notifications_notification_run_run_id",
                table: "notifications",
                column: "run_id",
                principalTable: "notification_runs",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
