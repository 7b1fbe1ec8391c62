using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using ModelMonitor.Storage;

namespace ModelMonitor.Cli;

/// Dispatches `monitor <verb> [options]`. `run` (the default) starts the service; the verbs that need the database
/// build the same host, do one piece of work without starting the web server or the scheduler, and exit; the
/// offline verbs (eval, extract) build only the <see cref="OfflineHost"/>.
public static class CommandLine
{
    private static readonly HashSet<string> None = [];

    /// The name of the feature switch the native command-line build sets (see <see cref="OfflineOnly"/>).
    public const string OfflineOnlySwitch = "ModelMonitor.OfflineVerbsOnly";

    /// True in the native command-line build (`dotnet publish -p:MonitorCli=true`): an ahead-of-time compiled
    /// `monitor` for CI steps that holds only the verbs that need no database. The trimmer treats this as a
    /// constant there, so the service, its database verbs and everything only they use are left out.
    [FeatureSwitchDefinition(OfflineOnlySwitch)]
    public static bool OfflineOnly => AppContext.TryGetSwitch(OfflineOnlySwitch, out var on) && on;

    /// The verbs of this build: every verb, or in the command-line build only the offline ones.
    public static IReadOnlyList<Verb> Verbs => OfflineOnly ? OfflineVerbs : AllVerbs.List;

    private static readonly IReadOnlyList<Verb> OfflineVerbs =
    [
        new("extract", "extract --provider P --file F", "Print the observations a saved page yields, as JSON (offline, no database).",
            NeedsDatabase: false, None, ExtractVerb.Options, ExtractVerb.RunAsync),
        new("eval", EvalVerb.Usage, "Run a regression suite on a baseline and a candidate model and print the verdict (no database needed).",
            NeedsDatabase: false, EvalVerb.Flags, EvalVerb.Options, EvalVerb.RunAsync),
    ];

    // A class of its own, so that the command-line build, which never reads it, does not compile the verbs it lists.
    private static class AllVerbs
    {
        public static readonly IReadOnlyList<Verb> List =
        [
            new("run", "run [--urls URL]", "Start the service: HTTP API, pages and the scheduler (the default verb).",
                NeedsDatabase: true, None, None, _ => throw new System.Diagnostics.UnreachableException()),
            new("migrate", "migrate", "Apply database migrations and the Quartz schema; safe to run twice.",
                NeedsDatabase: true, None, None, MigrateVerb.RunAsync),
            new("pins import", "pins import --team T --file F [--app A]", "Register an app's pins from a manifest file (.monitor/pins.yaml format).",
                NeedsDatabase: true, None, PinsImportVerb.Options, PinsImportVerb.RunAsync),
            new("check", "check --team T --app A [--within-days N]", "For CI: exit 1 if a pin retires within N days (30), 2 if one is retired.",
                NeedsDatabase: true, None, CheckVerb.Options, CheckVerb.RunAsync),
            new("report", "report --team T --app A [--format md|json|html]", "Print an app's readiness report (Markdown by default).",
                NeedsDatabase: true, None, ReportVerb.Options, ReportVerb.RunAsync),
            new("crawl", "crawl [--source NAME] [--file PATH] [--force]",
                "Crawl every enabled source now, or one; --file imports a saved copy of that source's page as if fetched.",
                NeedsDatabase: true, new HashSet<string> { "--force" }, new HashSet<string> { "--source", "--file" }, CrawlVerb.RunAsync),
            OfflineVerbs[0],
            OfflineVerbs[1],
            new("regress", RegressVerb.Usage,
                "Queue regression runs of an app's stored suites against each pin's successor; --wait executes them here and prints the verdict.",
                NeedsDatabase: true, RegressVerb.Flags, RegressVerb.Options, RegressVerb.RunAsync),
            new("notify", "notify [--dry-run] [--as-of YYYY-MM-DD]", "Plan notifications now and deliver them; --dry-run prints the digests and writes nothing.",
                NeedsDatabase: true, new HashSet<string> { "--dry-run" }, new HashSet<string> { "--as-of" }, NotifyVerb.RunAsync),
        ];
    }

    /// Arguments for the host builder: `run` passes its options (`--urls`) to ASP.NET Core; other verbs pass none.
    public static string[] HostArguments(string[] args) =>
        args.Length == 0 || args[0] == "run" ? args.Skip(args.Length > 0 && args[0] == "run" ? 1 : 0).ToArray()
        : args[0].StartsWith("--", StringComparison.Ordinal) && !IsHelp(args[0]) ? args
        : [];

    /// Returns an exit code when the arguments are answered without a host (help, usage errors), else null.
    public static int? TryAnswerWithoutHost(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length > 0 && IsHelp(args[0]))
        {
            WriteHelp(stdout);
            return ExitCodes.Ok;
        }
        if (OfflineOnly && Find(args) is null)
        {
            var what = args.Length == 0 ? "no verb given" : $"'{args[0]}' is not a verb of this build";
            stderr.WriteLine($"monitor: {what}: the command-line build runs only {string.Join(" and ", Verbs.Select(v => v.Name))}; "
                + "the service and the verbs that need its database are in the full build. Run 'monitor --help' for usage.");
            return ExitCodes.Usage;
        }
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) && Find(args) is null)
        {
            stderr.WriteLine($"monitor: unknown verb '{args[0]}'. Run 'monitor --help' for the list.");
            return ExitCodes.Usage;
        }
        return null;
    }

    /// Whether the arguments name a verb that needs no database, and so no service host.
    public static bool IsOffline(string[] args) => Find(args) is { Verb.NeedsDatabase: false };

    public static async Task<int> RunAsync(IHost app, string[] args)
    {
        var (verb, rest) = Find(args) ?? (Verbs[0], args);
        try
        {
            if (!OfflineOnly && verb.Name == "run")
                return await RunServiceAsync(app);

            var arguments = new CliArguments(rest, verb.Flags, verb.Options);
            if (verb.NeedsDatabase)
                app.Services.GetRequiredService<IStartupValidator>().Validate();

            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
            return await verb.RunAsync(new VerbContext(app.Services, arguments, Console.Out, cancel.Token));
        }
        catch (CliUsageException ex)
        {
            await Console.Error.WriteLineAsync($"monitor {verb.Name}: {ex.Message}\nusage: monitor {verb.Usage}");
            return ExitCodes.Usage;
        }
        catch (OptionsValidationException ex)
        {
            WriteConfigurationErrors(ex);
            return ExitCodes.Config;
        }
    }

    private static async Task<int> RunServiceAsync(IHost app)
    {
        try
        {
            // Settings first: a bad value stops here with its name, before anything connects.
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            await SchemaGuard.EnsureCurrentAsync(app.Services, stopping);
            await app.RunAsync();
            return ExitCodes.Ok;
        }
        catch (OptionsValidationException ex)
        {
            WriteConfigurationErrors(ex);
            return ExitCodes.Config;
        }
        catch (SchemaBehindException ex)
        {
            await Console.Error.WriteLineAsync($"monitor: {ex.Message}");
            return ExitCodes.Config;
        }
    }

    private static void WriteConfigurationErrors(OptionsValidationException ex)
    {
        foreach (var failure in ex.Failures.Distinct())
            Console.Error.WriteLine($"monitor: configuration error: {failure}");
    }

    private static (Verb Verb, string[] Remaining)? Find(string[] args)
    {
        // Longest match first, so two-word verbs (`pins import`) win over their first word.
        foreach (var verb in Verbs.OrderByDescending(v => v.Name.Length))
        {
            var words = verb.Name.Split(' ');
            if (args.Length >= words.Length && words.SequenceEqual(args.Take(words.Length), StringComparer.Ordinal))
                return (verb, args[words.Length..]);
        }
        return null;
    }

    private static bool IsHelp(string arg) => arg is "--help" or "-h" or "help";

    private static void WriteHelp(TextWriter output)
    {
        output.WriteLine("monitor — watches the lifecycle of the AI model versions your apps pin.");
        output.WriteLine();
        output.WriteLine("usage: monitor <verb> [options]");
        if (OfflineOnly)
            output.WriteLine("(the command-line build: the verbs that need no database; the service is in the full build)");
        output.WriteLine();
        foreach (var verb in Verbs)
        {
            output.WriteLine($"  {verb.Usage}");
            output.WriteLine($"      {verb.Summary}");
        }
        output.WriteLine();
        output.WriteLine("Settings come from appsettings.json and environment variables (Section__Key); see the README.");
        output.WriteLine("Logs go to stderr; results to stdout. Exit codes: 0 ok, 1 failed, 64 usage, 78 configuration.");
    }
}
