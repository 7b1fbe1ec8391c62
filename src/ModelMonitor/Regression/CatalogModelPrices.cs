using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ModelMonitor.Regression;

/// Prices in the service: configuration first (an operator's negotiated price wins), then the catalog's
/// model_versions input/output cost per million (the LiteLLM registry fills them). The catalog row is the one
/// of a provider that Regression:ProviderEndpoints maps to the model's endpoint; an endpoint no provider maps
/// to matches the model id on any provider. Without a reachable database this is configuration alone, as in `eval`.
public sealed partial class CatalogModelPrices(
    ConfiguredModelPrices configured,
    IServiceProvider services,
    IOptions<RegressionOptions> options,
    TimeProvider time,
    ILogger<CatalogModelPrices> logger) : IModelPrices
{
    // Prices change rarely; a run asks a handful of times, the verdict once more.
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<ModelReference, (ModelPrice? Price, DateTimeOffset At)> _cache = new();
    // Set when the catalog could not be read: until then, no model waits on another failing connection (or logs it again).
    private long _unavailableUntilTicks;

    public ModelPrice? Find(ModelReference model)
    {
        if (configured.Find(model) is { } price)
            return price;
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(model, out var cached) && now - cached.At < CacheFor)
            return cached.Price;
        if (now.UtcTicks < Interlocked.Read(ref _unavailableUntilTicks))
            return null;
        var found = FromCatalog(model, out var unavailable);
        if (unavailable)
            Interlocked.Exchange(ref _unavailableUntilTicks, (now + CacheFor).UtcTicks);
        else
            _cache[model] = (found, now);
        return found;
    }

    private ModelPrice? FromCatalog(ModelReference model, out bool unavailable)
    {
        unavailable = false;
        // `eval` without a database (no connection string, or one that is not registered): configuration only.
        if (string.IsNullOrWhiteSpace(services.GetRequiredService<IConfiguration>().GetConnectionString("Monitor")))
            return null;
        NpgsqlDataSource dataSource;
        try
        {
            dataSource = services.GetRequiredService<NpgsqlDataSource>();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            Log.CatalogUnavailable(logger, model.ToString(), ex.Message);
            unavailable = true;
            return null;
        }
        var providers = options.Value.ProviderEndpoints
            .Where(p => string.Equals(p.Value, model.Endpoint, StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Key.ToLowerInvariant()).ToArray();
        try
        {
            using var connection = dataSource.OpenConnection();
            using var command = new NpgsqlCommand("""
                SELECT input_cost_per_million_tokens, output_cost_per_million_tokens FROM model_versions
                WHERE model = $1 AND (cardinality($2::text[]) = 0 OR provider = ANY($2))
                  AND input_cost_per_million_tokens IS NOT NULL AND output_cost_per_million_tokens IS NOT NULL
                ORDER BY version = '' DESC, provider, version
                LIMIT 1
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = model.Model });
            command.Parameters.Add(new NpgsqlParameter { Value = providers });
            using var reader = command.ExecuteReader();
            return reader.Read() ? new ModelPrice(reader.GetDecimal(0), reader.GetDecimal(1)) : null;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            Log.CatalogUnavailable(logger, model.ToString(), ex.Message);
            unavailable = true;
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "No catalog price for {Model}: the catalog could not be read ({Reason}); configured prices only for the next 5 minutes")]
        public static partial void CatalogUnavailable(ILogger logger, string model, string reason);
    }
}
