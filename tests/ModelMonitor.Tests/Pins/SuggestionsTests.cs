using ModelMonitor.Pins;

namespace ModelMonitor.Tests.Pins;

public sealed class SuggestionsTests
{
    private static readonly PinSuggestion[] Anthropic =
    [
        new("claude-3-5-sonnet-20241022", null),
        new("claude-3-5-sonnet-20240620", null),
        new("claude-3-5-sonnet-latest", null),
        new("claude-3-5-haiku-20241022", null),
        new("claude-3-opus-20240229", null),
        new("claude-sonnet-4-5", null),
    ];

    [Fact]
    public void AOneCharacterTypoSuggestsTheIntendedIdFirst()
    {
        var best = Suggestions.Best("claude-3-5-sonet-20241022", "", Anthropic);

        Assert.Equal("claude-3-5-sonnet-20241022", best[0].Model);
    }

    [Fact]
    public void AnUndatedNameSuggestsItsDatedVersionsBeforeASiblingFamily()
    {
        var best = Suggestions.Best("claude-3-5-sonnet", "", Anthropic);

        Assert.Equal(3, best.Count);
        Assert.All(best, s => Assert.StartsWith("claude-3-5-sonnet-", s.Model));
    }

    [Fact]
    public void NothingSimilarSuggestsNothing()
    {
        Assert.Empty(Suggestions.Best("whisper-1", "", Anthropic));
    }

    [Fact]
    public void TheSameIdInAnotherCaseIsSuggested()
    {
        var best = Suggestions.Best("Claude-Sonnet-4-5", "", Anthropic);

        Assert.Equal("claude-sonnet-4-5", best[0].Model);
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("gpt-4o", "gpt-4o", 0)]
    [InlineData("gpt4o", "gpt-4o", 1)]
    public void DistanceIsLevenshtein(string a, string b, int expected) =>
        Assert.Equal(expected, Suggestions.Distance(a, b));
}
