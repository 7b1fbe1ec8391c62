using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ModelMonitor.Bench;

/// Pin registration over HTTP: PUT /api/teams/{team}/apps/{app} with five pins, a new app each time, from a
/// fixed number of concurrent clients (closed loop) against a running host. Wall-clock latency per request.
/// Target: ≥ 1,000 requests/s with p99 under 50 ms on loopback.
internal static class PinsBench
{
    private const double TargetRate = 1000;
    private static readonly TimeSpan TargetP99 = TimeSpan.FromMilliseconds(50);

    // Five pins as a team would register them: exact ids, an alias, an Azure name + version.
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        description = "benchmark app",
        pins = new object[]
        {
            new { provider = "openai", model = "gpt-4o-2024-08-06", environment = "production", monthlyInputTokens = 120_000_000, monthlyOutputTokens = 9_000_000 },
            new { provider = "openai", model = "gpt-4o", environment = "production" },
            new { provider = "anthropic", model = "claude-3-5-sonnet-20241022", environment = "production" },
            new { provider = "azure-openai", model = "gpt-4o", version = "2024-11-20", region = "swedencentral", environment = "production" },
            new { provider = "openai", model = "gpt-4o-mini-2024-07-18", environment = "staging" },
        },
    }));

    public static int Run(BenchOptions options)
    {
        options.RejectUnknown("--url", "--admin-token", "--concurrency", "--seconds", "--warmup", "--cpu-of", "--apps");
        var url = new Uri((options.Get("--url") ?? "http://127.0.0.1:5080").TrimEnd('/') + "/");
        var admin = options.Get("--admin-token") ?? Environment.GetEnvironmentVariable("Auth__AdminToken")
            ?? throw new ArgumentException("--admin-token (or the Auth__AdminToken environment variable) is required.");
        var concurrency = options.GetInt("--concurrency", 8, 1, 1024);
        var seconds = options.GetInt("--seconds", 20, 1, 3600);
        var warmup = options.GetInt("--warmup", 15, 0, 600);
        // 0: a new app per request; N: cycle through N app names, so a long soak re-registers (200) instead of
        // growing the database without bound.
        var apps = options.GetInt("--apps", 0, 0, 10_000_000);
        // "host=123,postgres=456": process trees whose CPU time per request is reported (Linux /proc).
        var watched = (options.Get("--cpu-of") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('='))
            .Select(p => p.Length == 2 && int.TryParse(p[1], System.Globalization.CultureInfo.InvariantCulture, out var pid)
                ? (Name: p[0], Pid: pid)
                : throw new ArgumentException($"--cpu-of takes name=pid pairs, not '{string.Join('=', p)}'."))
            .ToList();
        return RunAsync(url, admin, concurrency, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup), watched, apps).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(Uri url, string admin, int concurrency, TimeSpan duration, TimeSpan warmup, List<(string Name, int Pid)> watched, int apps)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };

        var team = $"bench-{Guid.NewGuid():N}"[..20];
        using var create = new HttpRequestMessage(HttpMethod.Post, "api/teams") { Content = JsonContent.Create(new { name = team, emails = new[] { "bench@corp.example" } }) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using var created = await http.SendAsync(create);
        if (created.StatusCode != HttpStatusCode.Created)
        {
            Console.Error.WriteLine($"pins: creating the team failed: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
            return 69;
        }
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        Console.WriteLine($"pins: PUT /api/teams/{team}/apps/<new app> with 5 pins, concurrency {concurrency}, {warmup.TotalSeconds:0} s warm-up, {duration.TotalSeconds:0} s measured, against {url}");
        var next = 0;
        Func<int> nextApp = apps > 0 ? () => (Interlocked.Increment(ref next) & int.MaxValue) % apps : () => Interlocked.Increment(ref next);
        if (warmup > TimeSpan.Zero)
            await LoadAsync(http, team, token, concurrency, warmup, nextApp);
        var cpuBefore = watched.Select(w => ProcessTree.CpuTime(w.Pid)).Append(Process.GetCurrentProcess().TotalProcessorTime).ToArray();
        var (latencies, errors, firstError, elapsed) = await LoadAsync(http, team, token, concurrency, duration, nextApp);
        var cpuAfter = watched.Select(w => ProcessTree.CpuTime(w.Pid)).Append(Process.GetCurrentProcess().TotalProcessorTime).ToArray();

        latencies.Sort();
        var rate = latencies.Count / elapsed.TotalSeconds;
        TimeSpan Percentile(double p) => latencies.Count == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))]);
        var p50 = Percentile(0.50);
        var p99 = Percentile(0.99);
        Console.WriteLine($"requests   {latencies.Count:N0} ok, {errors:N0} failed, in {elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"throughput {rate:N0} requests/s");
        Console.WriteLine($"latency    p50 {p50.TotalMilliseconds:0.0} ms   p90 {Percentile(0.90).TotalMilliseconds:0.0} ms   p99 {p99.TotalMilliseconds:0.0} ms   max {Percentile(1).TotalMilliseconds:0.0} ms");
        Console.WriteLine($"machine    {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        if (latencies.Count > 0)
        {
            // On a shared machine the wall-clock figures depend on the neighbours; CPU time per request does not,
            // and bounds what dedicated cores would do: cores / (CPU seconds per request).
            var names = watched.Select(w => w.Name).Append("load generator").ToArray();
            var perRequest = cpuBefore.Select((b, i) => (cpuAfter[i] - b).TotalMicroseconds / latencies.Count).ToArray();
            var server = perRequest.Take(watched.Count).Sum();
            Console.WriteLine($"CPU        {string.Join(", ", names.Select((n, i) => $"{n} {perRequest[i]:0} µs"))} per request");
            if (watched.Count > 0)
                Console.WriteLine($"capacity   {Environment.ProcessorCount} cores / {server + perRequest[^1]:0} µs ≈ {Environment.ProcessorCount * 1_000_000 / (server + perRequest[^1]):N0} requests/s with the load generator on the same cores, {Environment.ProcessorCount * 1_000_000 / server:N0} without");
        }
        if (firstError is not null)
            Console.WriteLine($"first error: {firstError}");
        var met = rate >= TargetRate && p99 < TargetP99 && errors == 0;
        Console.WriteLine($"target     ≥ {TargetRate:N0} requests/s with p99 < {TargetP99.TotalMilliseconds:0} ms: {(met ? "met" : "NOT met")}");
        return errors == 0 ? 0 : 1;
    }

    private static async Task<(List<long> Latencies, int Errors, string? FirstError, TimeSpan Elapsed)> LoadAsync(
        HttpClient http, string team, string token, int concurrency, TimeSpan duration, Func<int> nextApp)
    {
        var auth = new AuthenticationHeaderValue("Bearer", token);
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var errors = 0;
        string? firstError = null;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var mine = new List<long>(4096);
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, $"api/teams/{team}/apps/app-{nextApp()}")
                {
                    Content = new ByteArrayContent(Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
                };
                request.Headers.Authorization = auth;
                var start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(request);
                    await response.Content.LoadIntoBufferAsync();
                    var took = Stopwatch.GetTimestamp() - start;
                    if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                        mine.Add(took);
                    else if (Interlocked.Increment(ref errors) == 1)
                        firstError = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                }
                catch (HttpRequestException ex)
                {
                    if (Interlocked.Increment(ref errors) == 1)
                        firstError = ex.Message;
                }
            }
            return mine;
        })).ToArray();
        var all = (await Task.WhenAll(workers)).SelectMany(l => l).ToList();
        return (all, errors, firstError, Stopwatch.GetElapsedTime(started));
    }

    /// CPU time of a process and all its live descendants, from /proc (PostgreSQL's backends are children of the postmaster).
    private static class ProcessTree
    {
        public static TimeSpan CpuTime(int root)
        {
            var stats = new Dictionary<int, (int Parent, long Ticks)>();
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), System.Globalization.CultureInfo.InvariantCulture, out var pid))
                    continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    // Fields after the command name (which may hold spaces) start after the last ')'.
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var parent = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                    var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
                    stats[pid] = (parent, ticks);
                }
                catch (IOException)
                {
                    // Gone while we looked.
                }
            }
            var total = 0L;
            var pending = new Stack<int>([root]);
            while (pending.Count > 0)
            {
                var pid = pending.Pop();
                if (stats.TryGetValue(pid, out var s))
                    total += s.Ticks;
                foreach (var (child, c) in stats)
                {
                    if (c.Parent == pid)
                        pending.Push(child);
                }
            }
            // USER_HZ is 100 on Linux.
            return TimeSpan.FromMilliseconds(total * 10);
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
