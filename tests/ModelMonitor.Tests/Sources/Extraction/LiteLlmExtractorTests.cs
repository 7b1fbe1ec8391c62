using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class LiteLlmExtractorTests
{
    // Our own small registry in LiteLLM's shape (ids and dates are real facts; the rest is ours).
    private const string Sample = """
        {
          "sample_spec": {
            "max_input_tokens": "how many tokens fit",
            "input_cost_per_token": 0.0,
            "litellm_provider": "a provider name",
            "deprecation_date": "when it goes away, as YYYY-MM-DD"
          },
          "gpt-4-0613": {
            "max_tokens": 4096,
            "max_input_tokens": 8192,
            "input_cost_per_token": 0.00003,
            "output_cost_per_token": 6e-05,
            "litellm_provider": "openai",
            "mode": "chat",
            "deprecation_date": "2025-06-06",
            "supports_function_calling": true
          },
          "azure/gpt-4o-2024-08-06": {
            "max_input_tokens": 128000,
            "input_cost_per_token": 2.75e-06,
            "output_cost_per_token": 1.1e-05,
            "litellm_provider": "azure",
            "mode": "chat"
          },
          "azure/eu/gpt-4o-2024-08-06": {
            "max_input_tokens": 128000,
            "input_cost_per_token": 2.75e-06,
            "litellm_provider": "azure",
            "mode": "chat",
            "metadata": { "notes": "a data-zone deployment", "tags": [1, 2] }
          },
          "bedrock/us-east-1/anthropic.claude-v2:1": {
            "max_input_tokens": 100000,
            "litellm_provider": "bedrock",
            "mode": "chat"
          },
          "gemini/gemini-1.5-pro-001": {
            "litellm_provider": "gemini",
            "deprecation_date": "2025-05-24"
          },
          "gemini-1.5-pro-001": {
            "litellm_provider": "vertex_ai-language-models",
            "deprecation_date": "2025-05-24"
          },
          "text-embedding-3-small": {
            "max_input_tokens": 8191,
            "input_cost_per_token": 2e-08,
            "output_cost_per_token": 0.0,
            "litellm_provider": "openai",
            "mode": "embedding"
          },
          "groq/llama-3.2-90b-vision-preview": {
            "max_input_tokens": 8192.0,
            "litellm_provider": "groq",
            "mode": "chat",
            "deprecation_date": "2025-04-14"
          },
          "last_updated": "2025-10-16T17:07:33+00:00"
        }
        """;

    private static readonly IReadOnlyList<Observation> SampleObservations = new LiteLlmExtractor().Extract(Sample);

    private static Observation Key(IReadOnlyList<Observation> observations, string key) =>
        Assert.Single(observations, o => o.Section == key);

    [Fact]
    public void ProviderIsLitellm() => Assert.Equal("litellm", new LiteLlmExtractor().Provider);

    [Fact]
    public void EveryModelEntryIsOneObservationAndTheSchemaEntryIsNot()
    {
        Assert.Equal(8, SampleObservations.Count);
        Assert.DoesNotContain(SampleObservations, o => o.Section is "sample_spec" or "last_updated");
        Assert.All(SampleObservations, o => Assert.Equal("litellm", o.Provider));
    }

    [Fact]
    public void PricesArePerMillionTokensAsExactDecimals()
    {
        var gpt4 = Key(SampleObservations, "gpt-4-0613");
        Assert.Equal(30m, gpt4.InputCostPerMillionTokens);
        Assert.Equal(60m, gpt4.OutputCostPerMillionTokens);
        // 2.75e-06 is not exact as a double; read as decimal it is 2.75 per million.
        Assert.Equal(2.75m, Key(SampleObservations, "azure/gpt-4o-2024-08-06").InputCostPerMillionTokens);
        Assert.Equal(0.02m, Key(SampleObservations, "text-embedding-3-small").InputCostPerMillionTokens);
    }

    [Fact]
    public void ContextWindowIsTheMaximumInputTokens()
    {
        Assert.Equal(8192, Key(SampleObservations, "gpt-4-0613").ContextWindow);
        Assert.Equal(100000, Key(SampleObservations, "bedrock/us-east-1/anthropic.claude-v2:1").ContextWindow);
    }

    [Fact]
    public void ContextWindowWrittenAsAWholeFloatIsAccepted() =>
        Assert.Equal(8192, Key(SampleObservations, "groq/llama-3.2-90b-vision-preview").ContextWindow);

    [Fact]
    public void DeprecationDateIsTheRetirementDateOfADeprecatedModel()
    {
        var gpt4 = Key(SampleObservations, "gpt-4-0613");
        Assert.Equal(new DateOnly(2025, 6, 6), gpt4.RetiresOn);
        Assert.Equal(LifecycleStatus.Deprecated, gpt4.Status);
        Assert.False(gpt4.RetiresOnIsEstimate);
        Assert.Equal(DatePrecision.Day, gpt4.RetiresOnPrecision);
        Assert.Null(gpt4.DeprecatedOn);
    }

    [Fact]
    public void ModelWithoutDeprecationDateHasNoStatusAndNoDate()
    {
        var embedding = Key(SampleObservations, "text-embedding-3-small");
        Assert.Null(embedding.Status);
        Assert.Null(embedding.RetiresOn);
        Assert.Empty(embedding.Problems);
    }

    [Theory]
    [InlineData("gpt-4-0613", "gpt-4-0613", "openai")]
    [InlineData("azure/gpt-4o-2024-08-06", "gpt-4o-2024-08-06", "azure-openai")]
    [InlineData("azure/eu/gpt-4o-2024-08-06", "gpt-4o-2024-08-06", "azure-openai")]
    [InlineData("bedrock/us-east-1/anthropic.claude-v2:1", "anthropic.claude-v2:1", "aws-bedrock")]
    [InlineData("gemini/gemini-1.5-pro-001", "gemini-1.5-pro-001", "google-gemini")]
    [InlineData("gemini-1.5-pro-001", "gemini-1.5-pro-001", "google-vertex")]
    [InlineData("groq/llama-3.2-90b-vision-preview", "llama-3.2-90b-vision-preview", "groq")]
    public void ModelIsTheKeyWithoutRoutingPrefixOnMonitorsPlatform(string key, string model, string platform)
    {
        var observation = Key(SampleObservations, key);
        Assert.Equal(model, observation.Model);
        Assert.Equal(platform, observation.Platform);
    }

    [Theory]
    [InlineData("openrouter/anthropic/claude-2", "openrouter", "anthropic/claude-2")]
    [InlineData("vertex_ai/meta/llama-3.1-405b-instruct-maas", "vertex_ai-llama_models", "meta/llama-3.1-405b-instruct-maas")]
    [InlineData("vertex_ai/claude-3-7-sonnet@20250219", "vertex_ai-anthropic_models", "claude-3-7-sonnet@20250219")]
    [InlineData("bedrock/*/1-month-commitment/cohere.command-text-v14", "bedrock", "cohere.command-text-v14")]
    [InlineData("1024-x-1024/50-steps/bedrock/amazon.nova-canvas-v1:0", "bedrock", "amazon.nova-canvas-v1:0")]
    [InlineData("hd/1024-x-1792/dall-e-3", "openai", "dall-e-3")]
    [InlineData("azure/gpt-35-turbo-instruct-0914", "azure_text", "gpt-35-turbo-instruct-0914")]
    [InlineData("gemini/gemini-2.5-flash-image", "vertex_ai-language-models", "gemini-2.5-flash-image")]
    [InlineData("bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0", "bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0")]
    [InlineData("fireworks_ai/accounts/fireworks/models/deepseek-r1", "fireworks_ai", "accounts/fireworks/models/deepseek-r1")]
    public void PlatformOwnIdsKeepTheirSlashesOnlyTheRouteAndPricingQualifiersGo(string key, string provider, string model) =>
        Assert.Equal(model, LiteLlmExtractor.ModelOf(key, provider));

    [Theory]
    [InlineData("text-completion-openai", "openai")]
    [InlineData("anthropic", "anthropic")]
    [InlineData("azure_text", "azure-openai")]
    [InlineData("bedrock_converse", "aws-bedrock")]
    [InlineData("vertex_ai-anthropic_models", "google-vertex")]
    [InlineData("codestral", "mistral")]
    [InlineData("cohere_chat", "cohere")]
    [InlineData("azure_ai", "azure_ai")]
    [InlineData("perplexity", "perplexity")]
    public void LiteLlmProviderMapsToMonitorsPlatformName(string litellmProvider, string platform) =>
        Assert.Equal(platform, LiteLlmExtractor.PlatformOf(litellmProvider));

    [Fact]
    public void EvidenceNamesTheKeyAndTheFieldsRead() =>
        Assert.Equal(
            "gpt-4-0613 | litellm_provider openai | mode chat | max_input_tokens 8192 | input_cost_per_token 0.00003 | output_cost_per_token 6e-05 | deprecation_date 2025-06-06",
            Key(SampleObservations, "gpt-4-0613").Evidence);

    [Fact]
    public void MalformedJsonIsAnErrorNamingLineAndByte()
    {
        const string broken = "{\n  \"gpt-4\": {\n    \"litellm_provider\": \"openai\",,\n  }\n}";
        var ex = Assert.Throws<ExtractionException>(() => new LiteLlmExtractor().Extract(broken));
        Assert.StartsWith("LiteLLM registry is not valid JSON at line 3, byte ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedFileIsAnErrorNotACrash()
    {
        var ex = Assert.Throws<ExtractionException>(() => new LiteLlmExtractor().Extract(Sample[..(Sample.Length / 2)]));
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]", "it starts with an array")]
    [InlineData("", "empty")]
    [InlineData("{}", "no model entries")]
    [InlineData("<html><body>Not found</body></html>", "not valid JSON at line 1, byte 1")]
    public void SomethingOtherThanARegistryIsRejectedWithTheReason(string content, string reason)
    {
        var ex = Assert.Throws<ExtractionException>(() => new LiteLlmExtractor().Extract(content));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImpossibleDeprecationDateIsAProblemNotAGuess()
    {
        var observation = Assert.Single(new LiteLlmExtractor().Extract("""{"m-1": {"litellm_provider": "openai", "deprecation_date": "2026-09-31"}}"""));
        Assert.Null(observation.RetiresOn);
        Assert.Equal(LifecycleStatus.Deprecated, observation.Status);
        Assert.Equal(["impossible date '2026-09-31' in deprecation_date"], observation.Problems);
    }

    [Fact]
    public void DeprecationDateThatIsNoDateIsAProblem()
    {
        var observation = Assert.Single(new LiteLlmExtractor().Extract("""{"m-1": {"litellm_provider": "openai", "deprecation_date": "soon"}}"""));
        Assert.Null(observation.RetiresOn);
        Assert.Equal(["no date found in 'soon' in deprecation_date"], observation.Problems);
    }

    [Fact]
    public void DeprecationDateInAnotherSpellingIsReadWithItsPrecision()
    {
        var observations = new LiteLlmExtractor().Extract(
            """{"m-1": {"litellm_provider": "openai", "deprecation_date": "June 6, 2025"}, "m-2": {"litellm_provider": "openai", "deprecation_date": "2026-08"}}""");
        Assert.Equal((new DateOnly(2025, 6, 6), DatePrecision.Day, false), (observations[0].RetiresOn, observations[0].RetiresOnPrecision, observations[0].RetiresOnIsEstimate));
        Assert.Equal((new DateOnly(2026, 8, 1), DatePrecision.Month, true), (observations[1].RetiresOn, observations[1].RetiresOnPrecision, observations[1].RetiresOnIsEstimate));
    }

    [Fact]
    public void FieldsOfTheWrongTypeAreProblemsAndTheRestIsKept()
    {
        var observation = Assert.Single(new LiteLlmExtractor().Extract(
            """{"m-1": {"litellm_provider": "openai", "max_input_tokens": "lots", "input_cost_per_token": "0.1", "output_cost_per_token": 1e-06}}"""));
        Assert.Null(observation.ContextWindow);
        Assert.Null(observation.InputCostPerMillionTokens);
        Assert.Equal(1m, observation.OutputCostPerMillionTokens);
        Assert.Equal(["max_input_tokens is a string, not a number", "input_cost_per_token is a string, not a number"], observation.Problems);
    }

    [Fact]
    public void EntryWithoutProviderHasNoPlatformAndSaysSo()
    {
        var observation = Assert.Single(new LiteLlmExtractor().Extract("""{"mystery-1": {"mode": "chat"}}"""));
        Assert.Null(observation.Platform);
        Assert.Equal("mystery-1", observation.Model);
        Assert.Equal(["no litellm_provider in the entry"], observation.Problems);
    }

    [Fact]
    public void NegativePriceIsAProblem()
    {
        var observation = Assert.Single(new LiteLlmExtractor().Extract("""{"m-1": {"litellm_provider": "openai", "input_cost_per_token": -1e-06}}"""));
        Assert.Null(observation.InputCostPerMillionTokens);
        Assert.Equal(["input_cost_per_token '-1e-06' is not a usable price per token"], observation.Problems);
    }

    [SavedPageFact]
    public void February2025RegistryYieldsItsModels()
    {
        var observations = new LiteLlmExtractor().Extract(SavedPages.Read("litellm/model_prices_and_context_window.2025-02-06.json"));

        Assert.Equal(775, observations.Count);
        Assert.Equal(30, observations.Count(o => o.RetiresOn is not null));

        var gpt4 = Key(observations, "gpt-4-0613");
        Assert.Equal(("openai", "gpt-4-0613"), (gpt4.Platform, gpt4.Model));
        Assert.Equal(new DateOnly(2025, 6, 6), gpt4.RetiresOn);

        var gpt4o = Key(observations, "gpt-4o");
        Assert.Equal((2.5m, 10m, 128000), (gpt4o.InputCostPerMillionTokens, gpt4o.OutputCostPerMillionTokens, gpt4o.ContextWindow));
        Assert.Null(gpt4o.RetiresOn);

        var azure = Key(observations, "azure/gpt-4o-2024-05-13");
        Assert.Equal(("azure-openai", "gpt-4o-2024-05-13", 5m, 15m), (azure.Platform, azure.Model, azure.InputCostPerMillionTokens, azure.OutputCostPerMillionTokens));

        var azure35 = Key(observations, "azure/gpt-35-turbo-0613");
        Assert.Equal((new DateOnly(2025, 2, 13), 4097), (azure35.RetiresOn, azure35.ContextWindow));

        var sonnet = Key(observations, "claude-3-5-sonnet-20241022");
        Assert.Equal(("anthropic", new DateOnly(2025, 10, 1), 200000), (sonnet.Platform, sonnet.RetiresOn, sonnet.ContextWindow));

        Assert.Equal(new DateOnly(2025, 3, 1), Key(observations, "claude-3-opus-20240229").RetiresOn);

        var geminiApi = Key(observations, "gemini/gemini-1.5-pro-001");
        Assert.Equal(("google-gemini", "gemini-1.5-pro-001", 2097152), (geminiApi.Platform, geminiApi.Model, geminiApi.ContextWindow));
        var vertex = Key(observations, "gemini-1.5-pro-001");
        Assert.Equal(("google-vertex", 1000000, new DateOnly(2025, 5, 24)), (vertex.Platform, vertex.ContextWindow, vertex.RetiresOn));

        var bedrock = Key(observations, "bedrock/us-east-1/anthropic.claude-v2:1");
        Assert.Equal(("aws-bedrock", "anthropic.claude-v2:1", 8m, 24m), (bedrock.Platform, bedrock.Model, bedrock.InputCostPerMillionTokens, bedrock.OutputCostPerMillionTokens));

        var embedding = Key(observations, "text-embedding-3-small");
        Assert.Equal((0.02m, 8191), (embedding.InputCostPerMillionTokens, embedding.ContextWindow));

        Assert.Equal(("cohere", 0.15m), (Key(observations, "command-r").Platform, Key(observations, "command-r").InputCostPerMillionTokens));
        Assert.Equal("anthropic/claude-2", Key(observations, "openrouter/anthropic/claude-2").Model);
        Assert.Equal(new DateOnly(2025, 2, 22), Key(observations, "perplexity/llama-3.1-sonar-huge-128k-online").RetiresOn);
        Assert.Empty(observations.SelectMany(o => o.Problems));
    }

    [SavedPageFact]
    public void October2025RegistryYieldsItsModels()
    {
        var observations = new LiteLlmExtractor().Extract(SavedPages.Read("litellm/model_prices_and_context_window.2025-10-16.json"));

        Assert.Equal(1660, observations.Count);
        Assert.Equal(53, observations.Count(o => o.RetiresOn is not null));

        Assert.Equal(new DateOnly(2026, 2, 1), Key(observations, "claude-3-7-sonnet-20250219").RetiresOn);
        Assert.Equal(new DateOnly(2025, 7, 14), Key(observations, "gpt-4.5-preview-2025-02-27").RetiresOn);

        var globalStandard = Key(observations, "azure/global-standard/gpt-4o-2024-11-20");
        Assert.Equal(("azure-openai", "gpt-4o-2024-11-20", new DateOnly(2025, 12, 20)), (globalStandard.Platform, globalStandard.Model, globalStandard.RetiresOn));

        var dataZone = Key(observations, "azure/eu/gpt-4o-2024-08-06");
        Assert.Equal(("gpt-4o-2024-08-06", 2.75m, 11m), (dataZone.Model, dataZone.InputCostPerMillionTokens, dataZone.OutputCostPerMillionTokens));

        // Two spellings of the same Azure model carry different dates in this version.
        Assert.Equal(new DateOnly(2025, 5, 31), Key(observations, "azure/gpt-35-turbo-0125").RetiresOn);
        Assert.Equal(new DateOnly(2025, 3, 31), Key(observations, "azure/gpt-3.5-turbo-0125").RetiresOn);

        var vertexClaude = Key(observations, "vertex_ai/claude-3-7-sonnet@20250219");
        Assert.Equal(("google-vertex", "claude-3-7-sonnet@20250219", new DateOnly(2025, 6, 1)), (vertexClaude.Platform, vertexClaude.Model, vertexClaude.RetiresOn));

        Assert.Equal(new DateOnly(2026, 2, 5), Key(observations, "gemini-2.0-flash-001").RetiresOn);
        var groq = Key(observations, "groq/mixtral-8x7b-32768");
        Assert.Equal(("groq", "mixtral-8x7b-32768", new DateOnly(2025, 3, 20)), (groq.Platform, groq.Model, groq.RetiresOn));

        Assert.Equal(2000000, Key(observations, "xai/grok-4-fast-reasoning").ContextWindow);
        Assert.Equal(0m, Key(observations, "rerank-english-v3.0").InputCostPerMillionTokens);
        Assert.Equal(("azure_ai", "Cohere-embed-v3-english"), (Key(observations, "azure_ai/Cohere-embed-v3-english").Platform, Key(observations, "azure_ai/Cohere-embed-v3-english").Model));
        Assert.Empty(observations.SelectMany(o => o.Problems));
    }
}
