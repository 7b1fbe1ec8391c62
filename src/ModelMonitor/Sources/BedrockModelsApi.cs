using System.Text.Json;
using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Sources;

/// Amazon Bedrock's `ListFoundationModels` (`GET /foundation-models`, signed with SigV4): every foundation model of
/// the region with its `modelLifecycle` — `status` (ACTIVE or LEGACY) and, where Bedrock has set them,
/// `startOfLifeTime`, `legacyTime`, `publicExtendedAccessTime` and `endOfLifeTime` (epoch seconds or ISO 8601).
/// For models launched from September 2026 Bedrock states end-of-life dates on model cards, not on its lifecycle
/// page, so this is where they can be read.
public sealed class BedrockModelsApi : IExtractor
{
    public const string Section = "ListFoundationModels";

    // Not public: the `extract` registry lists page extractors by provider, and "aws-bedrock" is the page's.
    internal BedrockModelsApi()
    {
    }

    public string Provider => "aws-bedrock";

    public IReadOnlyList<Observation> Extract(string content)
    {
        using var document = ModelsApiJson.Parse(content, "Bedrock ListFoundationModels", "modelSummaries", out var summaries);
        var observations = new List<Observation>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var summary in summaries.EnumerateArray())
        {
            if (summary.ValueKind != JsonValueKind.Object || String(summary, "modelId") is not { Length: > 0 } id || !seen.Add(id))
                continue;
            var problems = new List<string>();
            var lifecycle = summary.TryGetProperty("modelLifecycle", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
            var rawStatus = lifecycle.ValueKind == JsonValueKind.Object ? String(lifecycle, "status") : null;
            LifecycleStatus? status = rawStatus?.ToUpperInvariant() switch
            {
                null => null,
                "ACTIVE" => LifecycleStatus.Active,
                "LEGACY" => LifecycleStatus.Legacy,
                "EOL" or "END_OF_LIFE" => LifecycleStatus.Retired,
                _ => Unknown(rawStatus, problems),
            };
            var launched = ModelsApiJson.ReadDate(lifecycle, "startOfLifeTime", problems);
            var legacy = ModelsApiJson.ReadDate(lifecycle, "legacyTime", problems);
            var extendedAccess = ModelsApiJson.ReadDate(lifecycle, "publicExtendedAccessTime", problems);
            var endOfLife = ModelsApiJson.ReadDate(lifecycle, "endOfLifeTime", problems);
            observations.Add(new Observation
            {
                Provider = "aws-bedrock",
                Platform = "aws-bedrock",
                Model = id,
                Status = status,
                ReleasedOn = launched,
                DeprecatedOn = legacy,
                RetiresOn = endOfLife,
                // An active model's end of life is the "no sooner than" date of its model card; a legacy model's is set.
                RetiresOnIsEstimate = endOfLife is not null && status == LifecycleStatus.Active,
                Section = Section,
                Evidence = string.Join(" | ", new[]
                {
                    id, String(summary, "providerName"), String(summary, "modelName"), rawStatus,
                    legacy is null ? null : $"legacy {legacy:yyyy-MM-dd}",
                    extendedAccess is null ? null : $"public extended access {extendedAccess:yyyy-MM-dd}",
                    endOfLife is null ? null : $"end of life {endOfLife:yyyy-MM-dd}",
                }.Where(s => s is not null)),
                Problems = problems,
            });
        }
        return observations;
    }

    private static LifecycleStatus? Unknown(string status, List<string> problems)
    {
        problems.Add($"unknown modelLifecycle status '{status}'");
        return null;
    }

    private static string? String(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
