using ModelMonitor.Pins;

namespace ModelMonitor.Tests.Pins;

public sealed class ManifestTests
{
    [Fact]
    public void AManifestReadsAsTheApisPins()
    {
        var (manifest, spec, error) = PinsManifest.ParseAndValidate("""
            # pins of the checkout assistant
            app: checkout
            description: Checkout assistant
            pins:
              - provider: azure-openai
                model: gpt-4o
                version: 2024-11-20
                region: swedencentral
                environment: production
                monthlyInputTokens: 120_000_000
                monthlyOutputTokens: 8000000
              - provider: anthropic
                model: claude-3-5-sonnet-20241022
                platform: aws-bedrock
            """);

        Assert.Null(error);
        Assert.Equal("checkout", manifest!.App);
        Assert.Equal("Checkout assistant", spec!.Description);
        Assert.Equal(new PinSpec("azure-openai", "gpt-4o", "2024-11-20", null, "swedencentral", "production", 120_000_000, 8_000_000), spec.Pins[0]);
        Assert.Equal("aws-bedrock", spec.Pins[1].Platform);
    }

    [Theory]
    [InlineData("pins:\n  - provider: openai\n    model: gpt-4o\n    owner: me\n", "line 4: pins[0].owner is not a known field")]
    [InlineData("app: web\nteam: payments\npins: []\n", "line 2: team is not a known field")]
    [InlineData("pins:\n  provider: openai\n", "line 2: pins must be a list of pins")]
    [InlineData("pins:\n  - openai/gpt-4o\n", "line 2: pins[0] must be a mapping with provider and model")]
    [InlineData("pins:\n  - provider: [openai]\n    model: gpt-4o\n", "line 2: pins[0].provider must be a single value")]
    [InlineData("pins:\n  - provider: openai\n    model: gpt-4o\n    monthlyInputTokens: lots\n", "pins[0].monthlyInputTokens must be a whole number, not 'lots'")]
    [InlineData("pins:\n  - provider: openai\n    model: gpt-4o\n  - provider: openai\n    model: gpt-4o\n", "pins[1]: duplicates pins[0]")]
    [InlineData("pins:\n  - provider: openai\n", "pins[0].model: is required.")]
    [InlineData("app: Web\npins: []\n", "app: must be 1 to 63 lowercase letters")]
    [InlineData("", "the manifest is empty.")]
    [InlineData("app: web\n", "pins: is required")]
    [InlineData("pins: []\n---\npins: []\n", "holds 2 YAML documents")]
    [InlineData("pins: [\n", "line 2, column 1:")]
    [InlineData("- provider: openai\n", "line 1: the manifest must be a mapping with 'pins'")]
    public void ABadManifestSaysWhatAndWhere(string yaml, string expected)
    {
        var (_, spec, error) = PinsManifest.ParseAndValidate(yaml);

        Assert.Null(spec);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void ABillionLaughsManifestIsRefusedBeforeExpansion()
    {
        var lines = new List<string> { "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 10; i++)
            lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]");
        lines.Add("pins: *a9");

        var (_, spec, error) = PinsManifest.ParseAndValidate(string.Join('\n', lines));

        Assert.Null(spec);
        Assert.Contains($"uses more than {PinsManifest.MaxAliases} YAML aliases", error);
    }

    [Fact]
    public void ADeeplyNestedManifestIsRefused()
    {
        var yaml = "pins: " + new string('[', 100) + new string(']', 100);

        var (_, spec, error) = PinsManifest.ParseAndValidate(yaml);

        Assert.Null(spec);
        Assert.Contains($"nests deeper than {PinsManifest.MaxDepth} levels", error);
    }

    [Fact]
    public void AnOversizedManifestIsRefused()
    {
        var yaml = "description: " + new string('x', PinsManifest.MaxBytes) + "\npins: []\n";

        var (_, spec, error) = PinsManifest.ParseAndValidate(yaml);

        Assert.Null(spec);
        Assert.Contains("larger than 256 KiB", error);
    }

    [Fact]
    public void AFewAliasesForSharedValuesAreFine()
    {
        var (_, spec, error) = PinsManifest.ParseAndValidate("""
            pins:
              - provider: &p openai
                model: gpt-4o-2024-08-06
                environment: &env production
              - provider: *p
                model: gpt-4o-mini-2024-07-18
                environment: *env
            """);

        Assert.Null(error);
        Assert.Equal(["openai", "openai"], spec!.Pins.Select(p => p.Provider));
    }
}
