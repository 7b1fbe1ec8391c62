using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ModelMonitor.Tests.Pins;

public sealed class BadInputTests(PinsFixture fixture) : IClassFixture<PinsFixture>
{
    private const string GoodPin = """{"provider":"openai","model":"gpt-4o-2024-08-06"}""";

    public static TheoryData<string, string, string> BadApps => new()
    {
        { "{\"pins\":[" + GoodPin, "body", "malformed JSON" },
        { "{\"pins\":[], \"owner\":\"me\"}", "owner", "unknown field." },
        { "{\"pins\":[{\"provider\":\"openai\",\"modle\":\"gpt-4o\"}]}", "pins[0].modle", "unknown field." },
        { "{\"pins\":[], \"pins\":[]}", "pins", "appears more than once." },
        { "{\"pins\":[{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"monthlyInputTokens\":\"lots\"}]}", "pins[0].monthlyInputTokens", "has the wrong type" },
        { "{\"pins\":{}}", "pins", "has the wrong type" },
        { "[]", "body", "has the wrong type" },
        { "null", "body", "is null" },
        { "{}", "pins", "is required" },
        { "{\"pins\":[null]}", "pins[0]", "must be an object" },
        { "{\"pins\":[{\"model\":\"gpt-4o\"}]}", "pins[0].provider", "is required." },
        { "{\"pins\":[{\"provider\":\"openai\"}]}", "pins[0].model", "is required." },
        { "{\"pins\":[{\"provider\":\"OpenAI\",\"model\":\"gpt-4o\"}]}", "pins[0].provider", "lowercase letters, digits and '-'" },
        { "{\"pins\":[{\"provider\":\"openai\",\"model\":\"gpt 4o\"}]}", "pins[0].model", "must not contain spaces" },
        { "{\"pins\":[{\"provider\":\"openai\",\"model\":\"" + new string('m', 201) + "\"}]}", "pins[0].model", "at most 200 characters (it has 201)" },
        { "{\"pins\":[{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"environment\":\"Prod\"}]}", "pins[0].environment", "lowercase letters" },
        { "{\"pins\":[{\"provider\":\"openai\",\"model\":\"gpt-4o\",\"monthlyOutputTokens\":-1}]}", "pins[0].monthlyOutputTokens", "from 0" },
        { "{\"pins\":[" + GoodPin + "," + GoodPin + "]}", "pins[1]", "duplicates pins[0]" },
        { "{\"pins\":[], \"description\":\"" + new string('d', 2001) + "\"}", "description", "at most 2000 characters" },
        { "{\"pins\":[], \"repository\":\"https://github.com/corp/app\"}", "repository", "'owner/name'" },
        { "{\"pins\":[], \"manifestPath\":\"../../etc/passwd\"}", "manifestPath", "'..'" },
        { "{\"pins\":[], \"manifestPath\":\"/abs/pins.yaml\"}", "manifestPath", "relative path" },
    };

    [Theory]
    [MemberData(nameof(BadApps))]
    public async Task ABadAppIsRejectedNamingTheFieldAndChangesNothing(string json, string field, string message)
    {
        var (team, token) = await fixture.CreateTeamAsync();
        var client = fixture.Client(token);
        await client.PutAsJsonAsync($"/api/teams/{team}/apps/app", new { description = "before", pins = new[] { new { provider = "openai", model = "gpt-4o-2024-11-20" } } });

        var response = await client.PutAsync($"/api/teams/{team}/apps/app", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for {field}: {problem.RootElement}");
        Assert.Contains(message, messages[0].GetString());
        Assert.StartsWith(field + ": ", problem.RootElement.GetProperty("detail").GetString());
        var app = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/apps/app");
        Assert.Equal("before", app.GetProperty("description").GetString());
        Assert.Equal("gpt-4o-2024-11-20", Assert.Single(app.GetProperty("pins").EnumerateArray()).GetProperty("model").GetString());
    }

    public static TheoryData<string, string, string> BadTeams => new()
    {
        { """{"name":"Payments","emails":["ml@corp.example"]}""", "name", "lowercase letters" },
        { """{"name":"pay ments","emails":["ml@corp.example"]}""", "name", "lowercase letters" },
        { "{\"name\":\"payments\\n\",\"emails\":[\"ml@corp.example\"]}", "name", "lowercase letters" },
        { "{\"name\":\"" + new string('p', 64) + "\",\"emails\":[\"ml@corp.example\"]}", "name", "at most 63 characters (it has 64)" },
        { """{"emails":["ml@corp.example"]}""", "name", "is required." },
        { """{"name":"payments"}""", "emails", "at least one email address" },
        { """{"name":"payments","emails":[]}""", "emails", "at least one email address" },
        { """{"name":"payments","emails":["not-an-email"]}""", "emails[0]", "is not an email address" },
        { """{"name":"payments","emails":["ml@corp.example","Boss <boss@corp.example>"]}""", "emails[1]", "is not an email address" },
        { """{"name":"payments","emails":["ml@corp.example\r\nBcc: all@corp.example"]}""", "emails[0]", "line breaks" },
        { """{"name":"payments","emails":["ml@corp.example","ML@corp.example"]}""", "emails[1]", "repeats" },
        { """{"name":"payments","emails":["ml@corp.example"],"escalationEmails":["cto"]}""", "escalationEmails[0]", "is not an email address" },
        { """{"name":"payments","emails":["ml@corp.example"],"slack":"#ml"}""", "slack", "unknown field." },
    };

    [Theory]
    [MemberData(nameof(BadTeams))]
    public async Task ABadTeamIsRejectedNamingTheFieldAndNotCreated(string json, string field, string message)
    {
        var response = await fixture.Admin().PostAsync("/api/teams", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out var messages), problem.RootElement.ToString());
        Assert.Contains(message, messages[0].GetString());
        Assert.Equal(0, await fixture.App.WithDbAsync(db => Task.FromResult(db.Teams.Count(t => t.Name == "payments"))));
    }

    [Fact]
    public async Task ANonSlugAppNameInThePathIsRejected()
    {
        var (team, token) = await fixture.CreateTeamAsync();

        var response = await fixture.Client(token).PutAsJsonAsync($"/api/teams/{team}/apps/My_App", new { pins = Array.Empty<object>() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"app\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ATenMegabyteBodyIsTooLarge()
    {
        var (team, token) = await fixture.CreateTeamAsync();
        var huge = "{\"description\":\"" + new string('x', 10 * 1024 * 1024) + "\",\"pins\":[]}";

        var response = await fixture.Client(token).PutAsync($"/api/teams/{team}/apps/app", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than 1024 KiB", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client(token).GetAsync($"/api/teams/{team}/apps/app")).StatusCode);
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitIsTooLargeToo()
    {
        var (team, token) = await fixture.CreateTeamAsync();
        var huge = Encoding.UTF8.GetBytes("{\"description\":\"" + new string('x', 2 * 1024 * 1024) + "\",\"pins\":[]}");
        var content = new StreamContent(new MemoryStream(huge));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await fixture.Client(token).PutAsync($"/api/teams/{team}/apps/app", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIsUnsupported()
    {
        var (team, token) = await fixture.CreateTeamAsync();

        var response = await fixture.Client(token).PutAsync($"/api/teams/{team}/apps/app", new StringContent("pins: []", Encoding.UTF8, "application/yaml"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task NamesAndDescriptionsAreStoredExactlyAsGiven()
    {
        var (team, token) = await fixture.CreateTeamAsync();
        const string description = "<script>alert('x')</script> & \"quotes\" — ünïcödé";

        await fixture.Client(token).PutAsJsonAsync($"/api/teams/{team}/apps/app", new { description, pins = Array.Empty<object>() });

        var stored = await fixture.App.WithDbAsync(db => Task.FromResult(db.Apps.Single(a => a.Name == "app" && a.Team!.Name == team).Description));
        Assert.Equal(description, stored);
    }
}
