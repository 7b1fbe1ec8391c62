using ModelMonitor.Hosting;
using ModelMonitor.Regression;
using ModelMonitor.Storage;

namespace ModelMonitor.Cli;

/// The host of the verbs that need no database (`eval`, `extract`): the same settings and stderr logging as the
/// service, and the regression feature with its prices, but no web server, pages, scheduler or sources to build.
/// A CI step's `monitor eval` is calling models a few hundred milliseconds after it starts.
internal static class OfflineHost
{
    public static IHost Build()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders().AddStderrConsole();
        builder.Services.AddSingleton(TimeProvider.System);
        // Only the data source: prices are read from the catalog when a connection string is set.
        builder.AddDataSource();
        builder.AddRegression();
        return builder.Build();
    }
}
