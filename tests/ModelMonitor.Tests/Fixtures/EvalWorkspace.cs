namespace ModelMonitor.Tests.Fixtures;

/// What a test of `monitor eval` works with: a fake model server on loopback, and a scratch folder for its suite
/// and results files. Both go when it is disposed.
public sealed class EvalWorkspace : IAsyncDisposable
{
    private EvalWorkspace(FakeLlmServer server) => Server = server;

    public FakeLlmServer Server { get; }

    public string Folder { get; } = Directory.CreateTempSubdirectory("monitor-eval-").FullName;

    public static async Task<EvalWorkspace> StartAsync() => new(await FakeLlmServer.StartAsync());

    /// Two cases that pass on the server's echo ("ANSWER: " and the question in capitals); tests append more.
    public const string GreetingSuite = """
        description: greeting checks
        prompts: ['{{q}}']
        tests:
          - vars: { q: 'hello' }
            assert: [ { type: contains, value: HELLO } ]
          - vars: { q: 'good morning' }
            assert: [ { type: contains, value: MORNING } ]

        """;

    /// Writes a file into the folder and returns its path.
    public string Write(string name, string text)
    {
        var path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    public string PathOf(string name) => Path.Combine(Folder, name);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
