using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ModelMonitor.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class PinsPlatformAndRegionInPinKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_pins_app_id_provider_model_version_environment",
                table: "pins");

            migrationBuilder.CreateIndex(
                name: "ix_pins_app_id_provider_model_version_platform_region_environm",
                table: "pins",
                columns: new[] { "app_id", "provider", "model", "version", "platform", "region", "environment" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_pins_app_id_provider_model_version_platform_region_environm",
                table: "pins");

            migrationBuilder.CreateIndex(
                name: "ix_pins_app_id_provider_model_version_environment",
                table: "pins",
                columns: new[] { "app_id", "provider", "model", "version", "environment" },
                unique: true);
        }
    }
}
