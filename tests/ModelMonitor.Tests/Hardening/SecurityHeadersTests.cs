using Microsoft.AspNetCore.Mvc.Testing;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Hardening;

public sealed class SecurityHeadersTests
{
    [Fact]
    public async Task PagesApiAnswersAndErrorsCarryTheSecurityHeadersAndNoCookie()
    {
        await using var app = await MonitorApp.StartAsync(MonitorApp.WithAdminToken());
        var client = app.CreateClient();

        foreach (var path in new[] { "/", "/health", "/openapi/v1.json", "/api/teams", "/no/such/page" })
        {
            var response = await client.GetAsync(path);
            var headers = response.Headers;

            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("DENY", string.Join(",", headers.GetValues("X-Frame-Options")));
            Assert.Equal("same-origin", string.Join(",", headers.GetValues("Referrer-Policy")));
            Assert.Contains("frame-ancestors 'none'", string.Join(",", headers.GetValues("Content-Security-Policy")));
            Assert.Contains("default-src 'none'", string.Join(",", headers.GetValues("Content-Security-Policy")));
            Assert.False(headers.Contains("Set-Cookie"), $"{path} sets a cookie");
            Assert.False(headers.Contains("Strict-Transport-Security"), $"{path} sends HSTS over plain HTTP");
        }
    }

    [Fact]
    public async Task OverTlsStrictTransportSecurityIsSent()
    {
        await using var app = await MonitorApp.StartAsync();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://monitor.test") });

        var response = await client.GetAsync("/health");

        Assert.Equal("max-age=31536000", string.Join(",", response.Headers.GetValues("Strict-Transport-Security")));
    }
}
