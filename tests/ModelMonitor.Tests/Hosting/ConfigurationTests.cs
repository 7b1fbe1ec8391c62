using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelMonitor.Notifications;
using ModelMonitor.Scheduling;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Hosting;

public sealed class ConfigurationTests
{
    [Fact]
    public async Task TheShippedSettingsFileBindsAndValidates()
    {
        await using var app = await MonitorApp.StartAsync();

        app.Services.GetRequiredService<IStartupValidator>().Validate();

        var smtp = app.Services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        var scheduling = app.Services.GetRequiredService<IOptions<SchedulingOptions>>().Value;
        Assert.Equal(587, smtp.Port);
        Assert.Equal("monitor", scheduling.InstanceName);
        Assert.Equal("0 17 3 * * ?", scheduling.CronFor(Jobs.Housekeeping));
    }

    [Theory]
    [InlineData("ConnectionStrings__Monitor", "Host=127.0.0.1;Port=not-a-port", "ConnectionStrings:Monitor is malformed")]
    [InlineData("ConnectionStrings__Monitor", "Hots=127.0.0.1", "ConnectionStrings:Monitor is malformed")]
    [InlineData("Scheduling__Crons__housekeeping", "every day at noon", "Scheduling:Crons:housekeeping is not a valid Quartz cron expression")]
    [InlineData("Scheduling__Crons__nightly", "0 0 3 * * ?", "Scheduling:Crons:nightly is not a known job")]
    [InlineData("Smtp__Port", "-25", "Smtp:Port must be from 1 to 65535.")]
    [InlineData("Database__CommandTimeoutSeconds", "0", "CommandTimeoutSeconds")]
    public async Task AnInvalidSettingStopsTheServiceWithOneLineNamingIt(string variable, string value, string expected)
    {
        var result = await MonitorProcess.RunAsync(["run"], new Dictionary<string, string?>
        {
            [variable] = value,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        Assert.Equal(78, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines, l => l.StartsWith("monitor: configuration error:", StringComparison.Ordinal));
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task HelpListsEveryVerb()
    {
        var result = await MonitorProcess.RunAsync(["--help"]);

        Assert.Equal(0, result.ExitCode);
        foreach (var verb in ModelMonitor.Cli.CommandLine.Verbs)
            Assert.Contains($"  {verb.Usage}", result.Stdout);
        Assert.Contains("migrate", result.Stdout);
        Assert.Contains("run", result.Stdout);
    }

    [Fact]
    public async Task AnUnknownVerbIsAUsageError()
    {
        var result = await MonitorProcess.RunAsync(["frobnicate"]);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("unknown verb 'frobnicate'", result.Stderr);
    }
}
