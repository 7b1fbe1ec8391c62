namespace ModelMonitor.Demo;

/// Section "Demo": the offline demo that `deploy/run.sh` starts with (see the README's Quick start).
public sealed class DemoOptions
{
    public const string Section = "Demo";

    // Seeds sample sources, a demo team with two apps, suites and recorded runs, and disables the network
    // sources so that nothing is fetched from the internet.
    public bool Enabled { get; set; }

    // Where the demo team's token is written (mode 600) the first time the team is created: it is shown once,
    // like every team token, and the demo's user needs it to log in as the team.
    public string TokenFile { get; set; } = ".data/demo-team-token";
}
