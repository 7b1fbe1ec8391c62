using System.Text.Json;
using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class ExtractorsTests
{
    [Fact]
    public void BuiltInExtractorsAreFoundByTheirProviderName()
    {
        Assert.Contains("litellm", Extractors.Names);
        Assert.Contains("cohere", Extractors.Names);
        Assert.IsType<LiteLlmExtractor>(Extractors.Create("litellm"));
        Assert.IsType<CohereExtractor>(Extractors.Create("cohere"));
    }

    [Fact]
    public void NamesAreSortedAndEachCreatesItsOwnExtractor()
    {
        Assert.Equal(Extractors.Names.Order(StringComparer.Ordinal), Extractors.Names);
        Assert.All(Extractors.Names, name => Assert.Equal(name, Extractors.Create(name)!.Provider));
    }

    [Fact]
    public void EveryExtractorThatNeedsNoOptionsIsBuiltIn()
    {
        // The registry is a list (no reflection, for the native build): a new page extractor must be added to it.
        var pageExtractors = typeof(IExtractor).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IExtractor).IsAssignableFrom(t)
                && t.Namespace == typeof(Extractors).Namespace && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => t.Name).Order(StringComparer.Ordinal);
        Assert.Equal(pageExtractors, Extractors.Names.Select(name => Extractors.Create(name)!.GetType().Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ExtractorsThatNeedOptionsAreNotBuiltIn() =>
        Assert.DoesNotContain(Extractors.Names, name => Extractors.Create(name) is DeclarativeTableExtractor);

    [Theory]
    [InlineData("no-such-provider")]
    [InlineData("")]
    [InlineData("LiteLLM")]
    public void UnknownProviderHasNoExtractor(string name) => Assert.Null(Extractors.Create(name));

    [Fact]
    public void JsonIsCamelCaseWithLowercaseEnumsIsoDatesAndNullsWritten()
    {
        var observation = new Observation
        {
            Provider = "cohere",
            Model = "command-light",
            Status = LifecycleStatus.Deprecated,
            RetiresOn = new DateOnly(2025, 9, 15),
            RetiresOnPrecision = DatePrecision.Month,
            Evidence = "“command-light” → shut down",
        };
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(observation, Extractors.JsonOptions));
        var root = json.RootElement;
        Assert.Equal("deprecated", root.GetProperty("status").GetString());
        Assert.Equal("month", root.GetProperty("retiresOnPrecision").GetString());
        Assert.Equal("2025-09-15", root.GetProperty("retiresOn").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("version").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("deprecatedOn").ValueKind);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("aliases").ValueKind);
        // Registry-only facts stay out of page observations.
        Assert.False(root.TryGetProperty("contextWindow", out _));
        Assert.Contains("“command-light” → shut down", JsonSerializer.Serialize(observation, Extractors.JsonOptions), StringComparison.Ordinal);
    }
}
