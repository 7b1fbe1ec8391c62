using ModelMonitor.Bench;

// `dotnet run -c Release --project bench/ModelMonitor.Bench -- <benchmark> [options]`.
// Each benchmark is one entry here; add `pins`, `planning`, … as further entries.
BenchCommand[] commands =
[
    new("extract", "extract [--pages DIR] [--runs N] [--filter TEXT]",
        "Extraction time per saved provider page against a bare AngleSharp / Markdig / System.Text.Json parse of it.",
        ExtractBench.Run),
    new("pins", "pins --admin-token T [--url U] [--concurrency N] [--seconds N] [--warmup N] [--apps N]",
        "Pin registration over HTTP against a running host (bench/pins.sh starts one): requests/s, p50/p99.",
        PinsBench.Run),
    new("notify", "notify [--connection CS] [--pins N] [--teams N] [--models N] [--batch N]",
        "Notification planning over 1,000,000 pins, then delivery of every digest to a loopback SMTP server.",
        NotifyBench.Run),
    new("crawl", "crawl [--sources N] [--cycles N] [--connection CS]",
        "A crawl cycle of N unchanged sources on loopback (304 and same-hash paths): time per cycle and catalog rows written.",
        CrawlBench.Run),
    new("reports", "reports [--connection CS] [--apps N] [--runs N]",
        "Server-side render time (queries + Razor) of the dashboard and one readiness report with 1,000 apps × 3 pins: p50/p95.",
        ReportsBench.Run),
];

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.WriteLine("usage: ModelMonitor.Bench <benchmark> [options]");
    foreach (var command in commands)
        Console.WriteLine($"  {command.Usage,-52}{command.Summary}");
    return args.Length == 0 ? 64 : 0;
}

var chosen = Array.Find(commands, c => c.Name == args[0]);
if (chosen is null)
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'; known: {string.Join(", ", commands.Select(c => c.Name))}.");
    return 64;
}
try
{
    return chosen.Run(BenchOptions.Parse(args[1..]));
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"{chosen.Name}: {ex.Message}\nusage: ModelMonitor.Bench {chosen.Usage}");
    return 64;
}
