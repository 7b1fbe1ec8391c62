using Microsoft.Extensions.Configuration;
using ModelMonitor.Regression;

namespace ModelMonitor.Tests.Regression;

public sealed class RegressionSettingsTests
{
    private static IReadOnlyList<string> Failures(RegressionOptions options, Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var result = new RegressionOptionsValidator(configuration).Validate(null, options);
        return result.Failed ? result.Failures!.ToList() : [];
    }

    [Fact]
    public void AProviderMappedToAnEndpointThatIsNotConfiguredIsAStartUpErrorNamingBoth()
    {
        var options = new RegressionOptions();
        options.ProviderEndpoints["anthropic"] = "claude";

        var failures = Failures(options, new() { ["Endpoints:openai:Kind"] = "openai" });

        var failure = Assert.Single(failures);
        Assert.Contains("Regression:ProviderEndpoints:anthropic", failure, StringComparison.Ordinal);
        Assert.Contains("'claude'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void AProviderMappedToAConfiguredEndpointIsAccepted()
    {
        var options = new RegressionOptions();
        options.ProviderEndpoints["openai"] = "openai";

        Assert.Empty(Failures(options, new() { ["Endpoints:openai:Kind"] = "openai" }));
    }

    [Fact]
    public void AStaleTimeoutNotAboveTheHeartbeatIsRefused()
    {
        var options = new RegressionOptions { Runs = { HeartbeatSeconds = 60, StaleAfterSeconds = 60 } };

        Assert.Contains(Failures(options, []), f => f.Contains("StaleAfterSeconds", StringComparison.Ordinal));
    }
}
