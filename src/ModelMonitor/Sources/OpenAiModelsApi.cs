using System.Text.Json;
using ModelMonitor.Catalog;
using ModelMonitor.Sources.Extraction;

namespace ModelMonitor.Sources;

/// OpenAI's `GET /v1/models`: every model the key can use, with `created` and, when OpenAI has announced one,
/// `shutdown_date` (an ISO date or Unix seconds). A listed model without a shutdown date is active.
public sealed class OpenAiModelsApi : IExtractor
{
    // Not public: the `extract` registry lists page extractors by provider, and "openai" is the page's.
    internal OpenAiModelsApi()
    {
    }

    public string Provider => "openai";

    public IReadOnlyList<Observation> Extract(string content)
    {
        using var document = ModelsApiJson.Parse(content, "OpenAI /v1/models", "data", out var data);
        var observations = new List<Observation>();
        foreach (var item in data.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String)
                continue;
            var id = idElement.GetString()!;
            var problems = new List<string>();
            var shutdown = ModelsApiJson.ReadDate(item, "shutdown_date", problems);
            var created = ModelsApiJson.ReadDate(item, "created", problems);
            var owner = item.TryGetProperty("owned_by", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
            observations.Add(new Observation
            {
                Provider = "openai",
                Platform = "openai",
                Model = id,
                Status = shutdown is null ? LifecycleStatus.Active : LifecycleStatus.Deprecated,
                ReleasedOn = created,
                RetiresOn = shutdown,
                Section = "GET /v1/models",
                Evidence = string.Join(" | ", new[] { id, owner, shutdown is null ? null : $"shutdown_date {shutdown:yyyy-MM-dd}" }.Where(s => s is not null)),
                Problems = problems,
            });
        }
        return observations;
    }
}
