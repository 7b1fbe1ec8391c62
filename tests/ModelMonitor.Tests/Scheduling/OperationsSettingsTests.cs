using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Scheduling;

public sealed class OperationsSettingsTests
{
    [Theory]
    [InlineData("Scheduling__CheckinIntervalSeconds", "0", "Scheduling:CheckinIntervalSeconds must be between 1 and 300 (it is 0).")]
    [InlineData("Scheduling__MisfireThresholdSeconds", "100000", "Scheduling:MisfireThresholdSeconds must be between 1 and 3600 (it is 100000).")]
    [InlineData("Scheduling__ShutdownTimeoutSeconds", "-1", "Scheduling:ShutdownTimeoutSeconds must be between 1 and 3600 (it is -1).")]
    [InlineData("Telemetry__Endpoint", "collector:4317", "Telemetry:Endpoint (or OTEL_EXPORTER_OTLP_ENDPOINT) must be an absolute http(s) URL such as http://otel-collector:4317; it is 'collector:4317'.")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector", "it is 'ftp://collector'.")]
    [InlineData("Telemetry__GaugeRefreshSeconds", "0", "GaugeRefreshSeconds")]
    public async Task AnInvalidOperationsSettingStopsTheServiceNamingIt(string variable, string value, string expected)
    {
        var result = await MonitorProcess.RunAsync(["run"], new Dictionary<string, string?>
        {
            [variable] = value,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        Assert.Equal(78, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n'), l => l.StartsWith("monitor: configuration error:", StringComparison.Ordinal));
        Assert.Contains(expected, line);
    }
}
