using System.Net;
using System.Text.Json;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Hosting;

public sealed class HealthTests
{
    [Fact]
    public async Task HealthIsOkWithADatabase()
    {
        await using var app = await MonitorApp.StartAsync();

        var response = await app.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task HealthIsServiceUnavailableWithoutADatabase()
    {
        var admin = await PostgresServer.AdminConnectionStringAsync();
        var missing = PostgresServer.WithDatabase(admin, "no_such_database");
        await using var app = new MonitorApp(missing);

        var response = await app.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unhealthy", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task AClusteredSchedulerStartsAgainstTheMigratedDatabase()
    {
        await using var app = await MonitorApp.StartAsync(new Dictionary<string, string?> { ["Scheduling:Enabled"] = "true" });
        var client = app.CreateClient();

        // The hosted scheduler starts with the host; poll /health until it reports running.
        JsonElement scheduler = default;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var body = JsonDocument.Parse(await client.GetStringAsync("/health"));
            scheduler = body.RootElement.GetProperty("checks").GetProperty("scheduler").Clone();
            if (scheduler.GetProperty("status").GetString() == "healthy")
                break;
            await Task.Delay(50);
        }

        Assert.Equal("healthy", scheduler.GetProperty("status").GetString());
        Assert.StartsWith("running as ", scheduler.GetProperty("description").GetString());
        // Clustering on: the node checked in to the shared state table.
        await using var connection = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = 'monitor'", connection);
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task OpenApiDocumentAndDashboardAreServed()
    {
        // Pages need a login (or a bearer token) since the reports feature.
        await using var app = await MonitorApp.StartAsync(MonitorApp.WithAdminToken());
        var client = app.CreateAdminClient();

        var openapi = await client.GetAsync("/openapi/v1.json");
        var dashboard = await client.GetStringAsync("/");

        Assert.Equal(HttpStatusCode.OK, openapi.StatusCode);
        using var document = JsonDocument.Parse(await openapi.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString());
        Assert.Contains("<title>Dashboard · Monitor</title>", dashboard);
    }
}
