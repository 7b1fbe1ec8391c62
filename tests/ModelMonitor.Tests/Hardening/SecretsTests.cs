using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelMonitor.Catalog;
using ModelMonitor.Notifications;
using ModelMonitor.Regression;
using ModelMonitor.Sources;
using ModelMonitor.Tests.Fixtures;
using Npgsql;

namespace ModelMonitor.Tests.Hardening;

/// Runs every flow that handles a secret with known values (admin token, team token, SMTP password, webhook
/// key and the secret derived from it, a source's API key, AWS credentials, a model endpoint's API key), failures included,
/// with every log category at Trace, then looks for each value in the logs, the pages and API answers,
/// the emails, the errors and every row of every table.
public sealed class SecretsTests
{
    private const string AdminToken = "adm-7f3c9e1b5d2a4c6e8f0a1b3c5d7e9f2a4b6c8d0e";
    private const string SmtpPassword = "smtp-pw-Q9x8W7v6U5t4S3r2P1o0";
    private const string WebhookKey = "whk-5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f";
    private const string SourceKey = "sk-source-9a8b7c6d5e4f3a2b1c0d9e8f";
    private const string EndpointKey = "sk-endpoint-1q2w3e4r5t6y7u8i9o0p";
    private const string AwsSecretKey = "aws-secret-Zx9Yw8Xv7Wu6Vt5Us4Tr3Sq2";
    private const string AwsSessionToken = "aws-session-Pq1Or2Ns3Mt4Lu5Kv6Jw7";

    [Fact]
    public async Task NoSecretAppearsInLogsPagesEmailsErrorsOrTheDatabase()
    {
        var logs = new CapturingLoggerProvider();
        var seen = new StringBuilder(); // everything the outside world was shown, except the wire to the secret's own server
        await using var smtp = ScriptedSmtpServer.Start();
        await using var pages = await PageServer.StartAsync();
        await using var llm = await FakeLlmServer.StartAsync();
        var connectionString = await PostgresServer.CreateDatabaseAsync("secrets");
        await using var monitor = new MonitorApp(connectionString, new Dictionary<string, string?>
        {
            ["Auth:AdminToken"] = AdminToken,
            ["Auth:FailedAttemptsPerMinute"] = "1000",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:Username"] = "monitor",
            ["Smtp:Password"] = SmtpPassword,
            ["Smtp:From"] = "monitor@monitor.test",
            ["Reports:BaseUrl"] = "https://monitor.test",
            ["Notifications:WebhookKey"] = WebhookKey,
            ["Notifications:WebhookAllowedHosts:0"] = "127.0.0.1",
            ["Sources:openai-api:Url"] = pages.Url("/v1/models"),
            ["TEST_SOURCE_KEY"] = SourceKey,
            ["Sources:openai-api:ApiKeyVariable"] = "TEST_SOURCE_KEY",
            ["Sources:bedrock-api:Url"] = pages.Url("/foundation-models"),
            ["AWS_ACCESS_KEY_ID"] = "AKIDSECRETSTEST",
            ["AWS_SECRET_ACCESS_KEY"] = AwsSecretKey,
            ["AWS_SESSION_TOKEN"] = AwsSessionToken,
            ["Fetching:Resilience:Retry:Delay"] = "00:00:00",
            ["Endpoints:fake:Kind"] = "openai",
            ["Endpoints:fake:BaseUrl"] = llm.OpenAIBaseUrl,
            ["Endpoints:fake:ApiKey"] = EndpointKey,
            ["Regression:Retry:BaseDelayMs"] = "1",
            ["Regression:Retry:MaxDelayMs"] = "2",
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
            ["Logging:LogLevel:System.Net.Http"] = "Trace",
            ["Logging:LogLevel:Npgsql"] = "Trace",
            ["Logging:LogLevel:Quartz"] = "Trace",
        });
        await using var app = monitor.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        HttpClient Client(string? token)
        {
            var client = app.CreateClient();
            if (token is not null)
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }
        async Task<HttpResponseMessage> SeenAsync(Task<HttpResponseMessage> request)
        {
            var response = await request;
            seen.AppendLine(response.Headers.ToString()).AppendLine(await response.Content.ReadAsStringAsync());
            return response;
        }

        // A source with a key: refused once (the server echoes the key back), then read.
        var sourceCalls = 0;
        pages.Handle("/v1/models", async context =>
        {
            if (Interlocked.Increment(ref sourceCalls) == 1)
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync($$"""{"error": "Incorrect API key provided: {{SourceKey}}"}""");
                return;
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"object": "list", "data": [{"id": "gpt-4-0613", "object": "model", "created": 1686588896, "owned_by": "openai", "shutdown_date": "2026-12-05"}]}""");
        });
        pages.Serve("/foundation-models", """{"modelSummaries": [{"modelId": "anthropic.claude-3-sonnet-20240229-v1:0", "modelLifecycle": {"status": "LEGACY", "endOfLifeTime": 1772323200}}]}""", "application/json");
        CrawlResult[] crawls;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var crawler = scope.ServiceProvider.GetRequiredService<Crawler>();
            crawls = [await crawler.CrawlAsync("openai-api"), await crawler.CrawlAsync("openai-api"), await crawler.CrawlAsync("bedrock-api")];
        }
        Assert.Equal(CrawlOutcome.Applied, crawls[1].Outcome);
        Assert.Equal(CrawlOutcome.Applied, crawls[2].Outcome);
        Assert.Equal(AwsSessionToken, pages.Requests.First(r => r.Path == "/foundation-models").Headers["x-amz-security-token"]);
        Assert.Equal("Bearer " + SourceKey, pages.Requests.First(r => r.Path == "/v1/models").Authorization);

        // Teams, apps and the webhook through the API; wrong tokens (one a near miss of the admin token) on the way.
        var created = await SeenAsync(Client(AdminToken).PostAsJsonAsync("/api/teams", new { name = "payments", emails = new[] { "dev@corp.example" } }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var teamToken = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        seen.Clear(); // the token is shown once, on creation, by design
        Assert.Equal(HttpStatusCode.Unauthorized, (await SeenAsync(Client(AdminToken + "x").GetAsync("/api/teams/payments/apps"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SeenAsync(Client(teamToken[..^1] + (teamToken[^1] == 'A' ? "B" : "A")).GetAsync("/api/teams/payments/apps"))).StatusCode);
        Assert.True((await SeenAsync(Client(teamToken).PutAsJsonAsync("/api/teams/payments/apps/checkout",
            new { pins = new[] { new { provider = "openai", model = "gpt-4-0613" } } }))).IsSuccessStatusCode);
        pages.Handle("/hook", context => { context.Response.StatusCode = 204; return Task.CompletedTask; });
        var webhook = await Client(teamToken).PutAsJsonAsync("/api/teams/payments/webhook", new { url = pages.Url("/hook") });
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        var webhookSecret = JsonDocument.Parse(await webhook.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;

        // Planning and delivery: SMTP refuses once, then takes the digest after AUTH with the password.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ModelMonitor.Storage.MonitorDb>();
            var model = await db.ModelVersions.SingleAsync(m => m.Provider == "openai" && m.Model == "gpt-4-0613");
            model.Status = LifecycleStatus.Deprecated;
            model.RetiresOn = new DateOnly(2026, 12, 5);
            await db.SaveChangesAsync();
            await scope.ServiceProvider.GetRequiredService<NotificationPlanner>().PlanAsync(null, dryRun: false, inspect: null, CancellationToken.None);
        }
        var delivery = app.Services.GetRequiredService<OutboxDelivery>();
        smtp.Rcpt = _ => "451 4.3.0 Try again later";
        await delivery.DeliverAsync(CancellationToken.None);
        smtp.Rcpt = _ => null;
        monitor.Clock.Advance(TimeSpan.FromMinutes(5));
        await delivery.DeliverAsync(CancellationToken.None);
        var email = Assert.Single(smtp.Messages);
        Assert.Equal("\0monitor\0" + SmtpPassword, smtp.AuthPlain);
        using (var raw = new MemoryStream())
        {
            await email.Message.WriteToAsync(raw);
            seen.AppendLine(Encoding.UTF8.GetString(raw.ToArray()));
        }

        // A regression run whose endpoint first refuses the key (and echoes it), then answers.
        llm.Script = r => r.Attempt == 1 && r.User.Contains("first", StringComparison.Ordinal)
            ? new FakeReply.Status(401, Body: $$$"""{"error":{"message":"Incorrect API key provided: {{{EndpointKey}}}","type":"invalid_request_error"}}""")
            : FakeReply.Echo(r);
        var suite = app.Services.GetRequiredService<SuiteLoader>().Parse("""
            prompts: ['{{q}}']
            tests:
              - vars: { q: 'first question' }
                assert: [ { type: contains, value: 'FIRST' } ]
              - vars: { q: 'second question' }
                assert: [ { type: contains, value: 'SECOND' } ]
            """, "secrets.yaml");
        Assert.True(ModelReference.TryParse("fake:old", out var baseline));
        Assert.True(ModelReference.TryParse("fake:new", out var candidate));
        var outcome = await app.Services.GetRequiredService<RegressionRunner>().RunAsync(new RunRequest(suite, baseline, candidate), CancellationToken.None);
        Assert.Contains(outcome.Results, r => r.Error is { Length: > 0 });
        Assert.Equal("Bearer " + EndpointKey, llm.Requests.First().Authorization);
        seen.AppendLine(JsonSerializer.Serialize(outcome));

        // Pages and read APIs an operator or a team would open.
        foreach (var path in new[] { "/", "/health", "/openapi/v1.json", "/api/outbox/failed", "/api/teams/payments/apps/checkout", "/api/teams/payments/calendar.ics" })
            await SeenAsync(Client(AdminToken).GetAsync(path));

        var database = await DumpAsync(connectionString);
        var secrets = new Dictionary<string, string>
        {
            ["admin token"] = AdminToken,
            ["team token"] = teamToken,
            ["SMTP password"] = SmtpPassword,
            ["webhook key"] = WebhookKey,
            ["webhook secret"] = webhookSecret,
            ["source API key"] = SourceKey,
            ["endpoint API key"] = EndpointKey,
            ["AWS secret access key"] = AwsSecretKey,
            ["AWS session token"] = AwsSessionToken,
        };
        var logText = logs.Text;
        Assert.True(logText.Length > 10_000, "the flows logged almost nothing: " + logText.Length); // proves the capture works
        foreach (var (name, secret) in secrets)
        {
            var hex = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(secret));
            Assert.False(logText.Contains(secret, StringComparison.Ordinal), $"the {name} is in the logs");
            Assert.False(seen.ToString().Contains(secret, StringComparison.Ordinal), $"the {name} is in a page, an API answer, an email or a run result");
            Assert.False(database.Contains(secret, StringComparison.Ordinal) || database.Contains(hex, StringComparison.Ordinal), $"the {name} is in the database");
        }
    }

    // Every row of every table in the database as text (bytea as hex), Quartz's tables included.
    private static async Task<string> DumpAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        Assert.True(tables.Count > 20, $"only {tables.Count} tables found");
        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} t", connection);
            dump.AppendLine(table).AppendLine((string)(await command.ExecuteScalarAsync())!);
        }
        return dump.ToString();
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text => string.Join('\n', _lines);

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                lines.Enqueue($"{category} scope: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = new StringBuilder($"{logLevel} {category}: {formatter(state, exception)}");
                // The structured values too: a sink that stores them (OTLP, JSON console) would show them.
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                    foreach (var (key, value) in values)
                        line.Append($" [{key}={value}]");
                if (exception is not null)
                    line.Append('\n').Append(exception);
                lines.Enqueue(line.ToString());
            }
        }
    }
}
