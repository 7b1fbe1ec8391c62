using ModelMonitor.Catalog;
using ModelMonitor.Sources;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Sources.Fetching;

namespace ModelMonitor.Tests.Sources;

public sealed class BedrockModelsApiTests
{
    // Our own small ListFoundationModels answer in Bedrock's shape: timestamps as epoch seconds (one fractional)
    // and as ISO 8601 text, a model without lifecycle dates, and the problems a later answer might bring.
    private const string Sample = """
        {
          "modelSummaries": [
            {
              "modelArn": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0",
              "modelId": "anthropic.claude-3-sonnet-20240229-v1:0",
              "modelName": "Claude 3 Sonnet",
              "providerName": "Anthropic",
              "modelLifecycle": {
                "status": "LEGACY",
                "startOfLifeTime": 1709251200,
                "legacyTime": 1.7458272E9,
                "publicExtendedAccessTime": "2025-08-01T00:00:00Z",
                "endOfLifeTime": "2026-03-01T00:00:00.000Z"
              }
            },
            {
              "modelId": "amazon.nova-pro-v1:0",
              "modelName": "Nova Pro",
              "providerName": "Amazon",
              "modelLifecycle": { "status": "ACTIVE" }
            },
            { "modelId": "amazon.nova-pro-v1:0", "modelLifecycle": { "status": "ACTIVE" } },
            { "modelId": "example.odd-v1:0", "modelLifecycle": { "status": "SUNSET", "endOfLifeTime": "soon", "legacyTime": "2525-01-01" } },
            { "modelId": "amazon.nova-lite-v2:0", "modelLifecycle": { "status": "ACTIVE", "endOfLifeTime": 1830297600 } },
            { "modelId": "ai21.j2-ultra-v1", "modelLifecycle": { "status": "EOL", "endOfLifeTime": 1725148800 } },
            { "modelName": "no id" },
            "not an object"
          ]
        }
        """;

    [Fact]
    public void EachModelIsOneObservationWithItsLifecycleDates()
    {
        var observations = new BedrockModelsApi().Extract(Sample);

        Assert.Equal(["anthropic.claude-3-sonnet-20240229-v1:0", "amazon.nova-pro-v1:0", "example.odd-v1:0", "amazon.nova-lite-v2:0", "ai21.j2-ultra-v1"],
            observations.Select(o => o.Model));
        var sonnet = observations[0];
        Assert.Equal(("aws-bedrock", "aws-bedrock", LifecycleStatus.Legacy), (sonnet.Provider, sonnet.Platform, sonnet.Status));
        Assert.Equal((new DateOnly(2024, 3, 1), new DateOnly(2025, 4, 28), new DateOnly(2026, 3, 1)), (sonnet.ReleasedOn, sonnet.DeprecatedOn, sonnet.RetiresOn));
        Assert.False(sonnet.RetiresOnIsEstimate);
        Assert.Equal(BedrockModelsApi.Section, sonnet.Section);
        Assert.Contains("public extended access 2025-08-01", sonnet.Evidence, StringComparison.Ordinal);
        Assert.Contains("end of life 2026-03-01", sonnet.Evidence, StringComparison.Ordinal);
        Assert.Empty(sonnet.Problems);

        var nova = observations[1];
        Assert.Equal((LifecycleStatus.Active, (DateOnly?)null), (nova.Status, nova.RetiresOn));
        // An active model's end of life is its "no sooner than" date; a retired one's is a fact.
        var lite = observations[3];
        Assert.Equal((LifecycleStatus.Active, new DateOnly(2028, 1, 1), true), (lite.Status, lite.RetiresOn, lite.RetiresOnIsEstimate));
        var ultra = observations[4];
        Assert.Equal((LifecycleStatus.Retired, new DateOnly(2024, 9, 1), false), (ultra.Status, ultra.RetiresOn, ultra.RetiresOnIsEstimate));
    }

    [Fact]
    public void AnUnknownStatusOrAnUnreadableDateIsAProblemOnTheObservationNotAGuess()
    {
        var odd = new BedrockModelsApi().Extract(Sample)[2];

        Assert.Null(odd.Status);
        Assert.Equal(((DateOnly?)null, (DateOnly?)null), (odd.RetiresOn, odd.DeprecatedOn));
        Assert.Equal(["unknown modelLifecycle status 'SUNSET'", "impossible legacyTime '\"2525-01-01\"'", "unreadable endOfLifeTime '\"soon\"'"], odd.Problems);
    }

    [Theory]
    [InlineData("<html>not json</html>", "Bedrock ListFoundationModels response is not valid JSON")]
    [InlineData("""{"models": []}""", "Bedrock ListFoundationModels response has no 'modelSummaries' array.")]
    public void AnAnswerOfAnotherShapeIsAnExtractionError(string content, string expected)
    {
        var error = Assert.Throws<ExtractionException>(() => new BedrockModelsApi().Extract(content));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}

public sealed class OpenAiModelsApiTests
{
    [Fact]
    public void AShutdownDateMakesAModelDeprecatedInEitherSpelling()
    {
        var observations = new OpenAiModelsApi().Extract("""
            {"object": "list", "data": [
              {"id": "gpt-4-0613", "created": 1686588896, "owned_by": "openai", "shutdown_date": "2027-01-15"},
              {"id": "babbage-002", "created": 1692634615, "owned_by": "system", "shutdown_date": 1791763200},
              {"id": "gpt-4o-2024-08-06", "created": 1722814719, "owned_by": "system"},
              {"id": "odd-model", "created": "yesterday", "shutdown_date": "2525-01-01"},
              {"object": "model"}
            ]}
            """);

        Assert.Equal(["gpt-4-0613", "babbage-002", "gpt-4o-2024-08-06", "odd-model"], observations.Select(o => o.Model));
        Assert.Equal((LifecycleStatus.Deprecated, new DateOnly(2027, 1, 15), new DateOnly(2023, 6, 12)), (observations[0].Status, observations[0].RetiresOn, observations[0].ReleasedOn));
        Assert.Equal((LifecycleStatus.Deprecated, new DateOnly(2026, 10, 12)), (observations[1].Status, observations[1].RetiresOn));
        Assert.Equal((LifecycleStatus.Active, (DateOnly?)null), (observations[2].Status, observations[2].RetiresOn));
        Assert.Equal(["impossible shutdown_date '\"2525-01-01\"'", "unreadable created '\"yesterday\"'"], observations[3].Problems);
        Assert.Equal("GET /v1/models", observations[0].Section);
    }

    [Theory]
    [InlineData("not json", "OpenAI /v1/models response is not valid JSON")]
    [InlineData("""{"object": "list"}""", "OpenAI /v1/models response has no 'data' array.")]
    public void AnAnswerOfAnotherShapeIsAnExtractionError(string content, string expected)
    {
        var error = Assert.Throws<ExtractionException>(() => new OpenAiModelsApi().Extract(content));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}

/// The signer against the published Signature Version 4 test suite (its example credentials and date).
public sealed class AwsSigV4Tests
{
    private static readonly AwsCredentials Example = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("https://example.amazonaws.com/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")] // get-vanilla
    [InlineData("https://example.amazonaws.com/?Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")] // get-vanilla-query-order-key-case
    public void SignsAsTheTestSuiteDoes(string url, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);

        AwsSigV4.Sign(request, new AwsSigning(Example, "us-east-1", "service"), SuiteTime);

        Assert.Equal("20150830T123600Z", Assert.Single(request.Headers.GetValues("x-amz-date")));
        Assert.Equal($"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}",
            Assert.Single(request.Headers.GetValues("Authorization")));
    }

    [Fact]
    public void TemporaryCredentialsSendAndSignTheSessionToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://bedrock.eu-west-1.amazonaws.com/foundation-models");

        AwsSigV4.Sign(request, new AwsSigning(Example with { SessionToken = "session-token" }, "eu-west-1", "bedrock"), SuiteTime);

        Assert.Equal("session-token", Assert.Single(request.Headers.GetValues("x-amz-security-token")));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=",
            Assert.Single(request.Headers.GetValues("Authorization")), StringComparison.Ordinal);
        Assert.DoesNotContain(Example.SecretAccessKey, Example.ToString(), StringComparison.Ordinal);
    }
}
