using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;

namespace ModelMonitor.Hosting;

/// What every part of the host shares: logging, the clock, JSON, problem details, OpenAPI.
internal static class HostingExtensions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static void AddServiceDefaults(this WebApplicationBuilder builder)
    {
        // Loopback unless told otherwise (ASPNETCORE_URLS, --urls or Urls in settings).
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
            builder.WebHost.UseUrls(DefaultUrl);

        builder.Logging.AddStderrConsole();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
    }

    /// A verb's result goes to stdout; everything logged goes to stderr.
    public static ILoggingBuilder AddStderrConsole(this ILoggingBuilder logging) =>
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

    public static void ConfigureJson(System.Text.Json.JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.KebabCaseLower));
    }

    public static void UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
    }
}
