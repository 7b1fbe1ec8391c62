using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using ModelMonitor.Storage;

namespace ModelMonitor.Tests.Fixtures;

/// The real host on its own database, with only the outside world replaced: the clock (fake) and whatever
/// settings a test overrides. Requests go through the real ASP.NET Core pipeline.
public sealed class MonitorApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private bool _ownsDatabase;

    public MonitorApp(string connectionString, IDictionary<string, string?>? settings = null)
    {
        ConnectionString = connectionString;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:Monitor"] = connectionString,
            // Most tests don't need the scheduler; those that do switch it on.
            ["Scheduling:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    public string ConnectionString { get; }

    public const string AdminToken = "test-admin-token-0123456789abcdef-0123456789";

    /// Settings with the admin token configured, on top of the given ones.
    public static Dictionary<string, string?> WithAdminToken(IDictionary<string, string?>? settings = null) =>
        new(settings ?? new Dictionary<string, string?>(), StringComparer.OrdinalIgnoreCase) { ["Auth:AdminToken"] = AdminToken };

    public HttpClient CreateClient(string bearerToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearerToken);
        return client;
    }

    public HttpClient CreateAdminClient() => CreateClient(AdminToken);

    // 2026-11-28 09:00 UTC unless a test moves it.
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));

    public static async Task<MonitorApp> StartAsync(IDictionary<string, string?>? settings = null, [System.Runtime.CompilerServices.CallerMemberName] string? hint = null)
    {
        var app = new MonitorApp(await PostgresServer.CreateDatabaseAsync(hint), settings) { _ownsDatabase = true };
        _ = app.Server; // start now so start-up failures surface in the test that caused them
        return app;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase)
            await PostgresServer.DropDatabaseAsync(ConnectionString);
    }

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    public async Task<T> WithDbAsync<T>(Func<MonitorDb, Task<T>> work)
    {
        await using var scope = Scope();
        return await work(scope.ServiceProvider.GetRequiredService<MonitorDb>());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }
}
