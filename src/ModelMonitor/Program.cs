using ModelMonitor.Catalog;
using ModelMonitor.Cli;
using ModelMonitor.Demo;
using ModelMonitor.Hosting;
using ModelMonitor.Notifications;
using ModelMonitor.Pins;
using ModelMonitor.Pins.Auth;
using ModelMonitor.Regression;
using ModelMonitor.Reports;
using ModelMonitor.Scheduling;
using ModelMonitor.Sources;
using ModelMonitor.Sources.GitHub;
using ModelMonitor.Storage;

if (CommandLine.TryAnswerWithoutHost(args, Console.Out, Console.Error) is { } answered)
    return answered;
// The command-line build holds only the offline verbs: there the service below is never called, and the
// trimmer leaves it, and everything only it uses, out of the binary.
if (CommandLine.OfflineOnly || CommandLine.IsOffline(args))
{
    using var offline = OfflineHost.Build();
    return await CommandLine.RunAsync(offline, args);
}
return await RunServiceAsync(args);

static async Task<int> RunServiceAsync(string[] args)
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = CommandLine.HostArguments(args),
        // appsettings.json is linked into the output, so the service reads it wherever it is started from.
        ContentRootPath = AppContext.BaseDirectory,
    });

    builder.AddServiceDefaults();
    builder.AddTelemetry();
    builder.AddStorage();
    builder.AddScheduling();
    builder.AddHealth();
    builder.AddGitHub();
    builder.AddSources();
    builder.AddCatalog();
    builder.AddNotifications();
    builder.AddReports();
    builder.AddPins();
    builder.AddRegression();
    builder.AddDemo();

    var app = builder.Build();

    app.UseServiceDefaults();
    app.UseSecurityHeaders();
    app.UseAuth();
    app.MapHealth();
    app.MapCatalog();
    app.MapReports();
    app.MapPins();
    app.MapNotifications();
    app.MapRegression();

    return await CommandLine.RunAsync(app, args);
}

public partial class Program;
