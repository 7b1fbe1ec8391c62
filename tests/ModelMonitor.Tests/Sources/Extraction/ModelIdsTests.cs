using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Tests.Sources.Extraction;

public sealed class ModelIdsTests
{
    [Theory]
    [InlineData("gpt-4.1*", "gpt-4.1")]
    [InlineData("claude-3-opus-20240229†", "claude-3-opus-20240229")]
    [InlineData("gemini-1.5-pro-002¹", "gemini-1.5-pro-002")]
    [InlineData("text-davinci-003[1]", "text-davinci-003")]
    [InlineData("o1-preview(1)", "o1-preview")]
    [InlineData("`gpt-4o`,", "gpt-4o")]
    [InlineData("\u200Bclaude-2.1\u200B", "claude-2.1")]
    public void CleanStripsFootnoteMarksAndPunctuation(string token, string expected)
    {
        Assert.Equal(expected, ModelIds.Clean(token));
    }

    [Theory]
    [InlineData("gpt-4o-mini", true)]
    [InlineData("o1", true)]
    [InlineData("models/gemini-pro", true)]
    [InlineData("anthropic.claude-v2:1", true)]
    [InlineData("davinci", true)]
    [InlineData("/v1/completions", false)]
    [InlineData("https://example.com/x", false)]
    [InlineData("$0.50", false)]
    [InlineData("128k", false)]
    [InlineData("Claude Sonnet 4", false)]
    [InlineData("None", false)]
    [InlineData("Deprecated", false)]
    [InlineData("---", false)]
    [InlineData("2025-04-14", false)]
    public void LooksLikeIdSeparatesIdsFromOtherTokens(string token, bool expected)
    {
        Assert.Equal(expected, ModelIds.LooksLikeId(token));
    }

    [Theory]
    [InlineData("gpt-5 or gpt-4.1*", "gpt-5|gpt-4.1")]
    [InlineData("gpt-4o, gpt-4o-mini, or o3-mini", "gpt-4o|gpt-4o-mini|o3-mini")]
    [InlineData("text-embedding-3-small and text-embedding-3-large", "text-embedding-3-small|text-embedding-3-large")]
    [InlineData("claude-3-haiku \\| claude-3-5-haiku", "claude-3-haiku|claude-3-5-haiku")]
    [InlineData("gpt-4o (recommended)", "gpt-4o")]
    [InlineData("Claude Sonnet 4 (claude-sonnet-4-20250514)", "claude-sonnet-4-20250514")]
    [InlineData("gpt-4-0125-preview (including gpt-4-turbo-preview, which points to it)", "gpt-4-0125-preview|gpt-4-turbo-preview")]
    [InlineData("o1 (replaced by o3)", "o1")]
    [InlineData("Includes gemini-1.5-flash-8b-001 and its -latest alias", "gemini-1.5-flash-8b-001")]
    [InlineData("Claude v2.1 on Bedrock", "")]
    [InlineData("a state-of-the-art model", "")]
    [InlineData("Claude Sonnet 4 or later", "")]
    [InlineData("see the migration guide", "")]
    [InlineData("---", "")]
    [InlineData("/v1/edits", "")]
    public void FromTextSplitsListsAndDropsProse(string text, string expected)
    {
        Assert.Equal(expected, string.Join('|', ModelIds.FromText(text.Replace("\\|", "|", StringComparison.Ordinal))));
    }

    [Fact]
    public void FromCellPrefersCodeSpans()
    {
        var cell = new PageCell("gpt-4-0125-preview (including gpt-4-turbo-preview, which points to it)",
            ["gpt-4-0125-preview (including gpt-4-turbo-preview, which points to it)"],
            ["gpt-4-0125-preview", "gpt-4-turbo-preview"], []);

        Assert.Equal(["gpt-4-0125-preview", "gpt-4-turbo-preview"], ModelIds.FromCell(cell));
    }

    [Fact]
    public void FromCellReadsEachLineOfABrSplitCell()
    {
        var cell = new PageCell("claude-1.0 claude-1.1", ["claude-1.0", "claude-1.1"], [], []);

        Assert.Equal(["claude-1.0", "claude-1.1"], ModelIds.FromCell(cell));
    }
}
