using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ModelMonitor.Tests.Fixtures;

namespace ModelMonitor.Tests.Scheduling;

/// One long-running `monitor run` process (a cluster node) with its log lines captured as they arrive,
/// so a test can wait for what a node says, kill it (SIGKILL) or stop it (SIGTERM).
public sealed class MonitorNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _changed = new(0);

    private MonitorNode(string name, Process process, string url)
    {
        Name = name;
        _process = process;
        Url = url;
    }

    public string Name { get; }

    public string Url { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Lines => _lines.ToArray();

    /// Every configured source disabled, one log line per message, the scheduler on, a free loopback port.
    public static Dictionary<string, string?> Environment(string database)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Monitor"] = database,
            ["Scheduling__Enabled"] = "true",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Logging__LogLevel__Default"] = "Information",
            ["Mail__PickupDirectory"] = Path.Combine(Path.GetTempPath(), $"monitor-node-mail-{Guid.NewGuid():N}"),
        };
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(PostgresServer.RepositoryRoot(), "appsettings.json")));
        foreach (var source in settings.RootElement.GetProperty("Sources").EnumerateObject())
            environment[$"Sources__{source.Name}__Enabled"] = "false";
        return environment;
    }

    public static MonitorNode Start(string name, IDictionary<string, string?> environment)
    {
        var url = $"http://127.0.0.1:{PostgresServer.FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(MonitorProcess.HostAssembly());
        start.ArgumentList.Add("run");
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["ASPNETCORE_URLS"] = url;
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new MonitorNode(name, process, url);
        process.OutputDataReceived += (_, e) => node.Add(e.Data);
        process.ErrorDataReceived += (_, e) => node.Add(e.Data);
        process.Exited += (_, _) => node._changed.Release();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    private void Add(string? line)
    {
        if (line is null)
            return;
        _lines.Enqueue(line);
        _changed.Release();
    }

    /// Waits until the node's log satisfies the condition; fails with the log's tail when the deadline passes.
    public async Task WaitForLogAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition(Lines))
        {
            var left = TimeSpan.FromSeconds((double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            if (left <= TimeSpan.Zero || (_process.HasExited && !condition(Lines)))
                throw new TimeoutException($"node {Name}: {what} did not happen within {timeout.TotalSeconds:0} s{(_process.HasExited ? $" (it exited with {_process.ExitCode})" : "")}. Log tail:\n{string.Join('\n', Lines.TakeLast(40))}");
            await _changed.WaitAsync(left);
        }
    }

    public Task WaitUntilSchedulingAsync(TimeSpan timeout) =>
        WaitForLogAsync(lines => lines.Any(l => l.Contains("Application started", StringComparison.Ordinal)), timeout, "start-up");

    /// SIGKILL: no shutdown code runs, as when a machine dies.
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// SIGTERM, as systemd, Docker and Kubernetes stop a service; waits for the process to exit.
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
            return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                await StopAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
        _process.Dispose();
        _changed.Dispose();
    }
}
