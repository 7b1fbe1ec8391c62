using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ModelMonitor.Storage;

internal sealed class DatabaseOptions
{
    // Statement timeout for catalog and planning work.
    [Range(1, 3600)]
    public int CommandTimeoutSeconds { get; set; } = 60;
}

/// The [Range] checks of <see cref="DatabaseOptions"/>, generated (no reflection).
[OptionsValidator]
internal sealed partial class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>;

/// Checks ConnectionStrings:Monitor and says clearly what is wrong with it, without echoing it.
internal sealed class ConnectionStringValidator(IConfiguration configuration) : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var value = configuration.GetConnectionString("Monitor");
        if (string.IsNullOrWhiteSpace(value))
            return ValidateOptionsResult.Fail("ConnectionStrings:Monitor is not set (environment: ConnectionStrings__Monitor).");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrEmpty(builder.Host))
                return ValidateOptionsResult.Fail("ConnectionStrings:Monitor has no Host.");
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or InvalidCastException)
        {
            // The parser's message names the keyword at fault; the string itself may hold a password.
            return ValidateOptionsResult.Fail($"ConnectionStrings:Monitor is malformed: {ex.Message}");
        }
        return ValidateOptionsResult.Success;
    }
}
