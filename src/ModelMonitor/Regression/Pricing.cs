namespace ModelMonitor.Regression;

/// USD per million tokens.
public sealed record ModelPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    public decimal Cost(long inputTokens, long outputTokens) =>
        (inputTokens * InputPerMillion + outputTokens * OutputPerMillion) / 1_000_000m;
}

/// Where prices come from. Configuration is one source; the catalog (LiteLLM's registry) will be another,
/// consulted first, with configuration as the override or fallback.
public interface IModelPrices
{
    ModelPrice? Find(ModelReference model);
}

/// Prices from `Endpoints:<name>:Prices:<model>`. A model id containing ':' cannot be a configuration key;
/// such models need the catalog's prices.
public sealed class ConfiguredModelPrices(EndpointRegistry endpoints) : IModelPrices
{
    public ModelPrice? Find(ModelReference model)
    {
        EndpointOptions options;
        try
        {
            options = endpoints.Options(model.Endpoint);
        }
        catch (EndpointConfigurationException)
        {
            return null;
        }
        return options.Prices.TryGetValue(model.Model, out var p) && p.InputCostPerMillionTokens is { } input && p.OutputCostPerMillionTokens is { } output
            ? new ModelPrice(input, output)
            : null;
    }
}
