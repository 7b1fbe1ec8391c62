using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Options;
using ModelMonitor.Reports;
using ModelMonitor.Reports.Pages;

namespace ModelMonitor.Cli;

/// `report --team T --app A [--format md|json|html]`: the app's readiness report on stdout, as the page and the
/// export endpoint give it (the HTML is the page itself; its stylesheet link needs the service to be styled).
internal static class ReportVerb
{
    public static readonly IReadOnlySet<string> Options = new HashSet<string> { "--team", "--app", "--format" };

    public static async Task<int> RunAsync(VerbContext context)
    {
        var team = context.Arguments.Require("--team");
        var app = context.Arguments.Require("--app");
        var format = context.Arguments.Get("--format") ?? "md";
        if (format is not ("md" or "json" or "html"))
            throw new CliUsageException($"--format must be md, json or html, not '{format}'.");

        await using var scope = context.Services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<ReadinessReports>().BuildAsync(team, app, context.CancellationToken);
        if (report is null)
        {
            await Console.Error.WriteLineAsync($"monitor report: there is no app '{app}' of team '{team}'.");
            return ExitCodes.DataError;
        }
        var text = format switch
        {
            "json" => JsonSerializer.Serialize(report,
                new JsonSerializerOptions(scope.ServiceProvider.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions) { WriteIndented = true }),
            "html" => await RenderAsync(scope.ServiceProvider, report),
            _ => ReadinessMarkdown.Write(report),
        };
        await context.Out.WriteLineAsync(text);
        return ExitCodes.Ok;
    }

    public static async Task<string> RenderAsync(IServiceProvider services, ReadinessReport report)
    {
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<AppReport>(ParameterView.FromDictionary(new Dictionary<string, object?> { ["Report"] = report }));
            return output.ToHtmlString();
        });
    }
}
