using ActorVip.Node.Notify;

namespace ActorVip.Tests.Notify;

/// <summary>The notify hook as a real process: no shell, the ACTORVIP_* environment, the exit code, and a timeout that kills the whole tree.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ProcessHookRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actorvip-hook-").FullName;
    private static readonly HookRun Run = new("acquired", "192.0.2.100", 7, "akka.tcp://actorvip@192.0.2.11:4053", "eth0", "");

    private string Script(string body)
    {
        var path = Path.Combine(_dir, $"hook-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public async Task The_hook_gets_the_actorvip_environment_and_exit_0_is_success()
    {
        var file = Path.Combine(_dir, "env");
        var result = await new ProcessHookRunner().RunAsync(Script($"env | grep ^ACTORVIP_ | sort > {file}; echo done"), Run, TimeSpan.FromSeconds(10));

        Assert.True(result.Ok, result.Detail);
        Assert.Contains("output: done", result.Detail);
        Assert.Equal(
        [
            "ACTORVIP_EPOCH=7", "ACTORVIP_EVENT=acquired", "ACTORVIP_INTERFACE=eth0", "ACTORVIP_NODE=akka.tcp://actorvip@192.0.2.11:4053",
            "ACTORVIP_REASON=", "ACTORVIP_VIP=192.0.2.100",
        ], File.ReadAllLines(file));
    }

    [Fact]
    public async Task A_non_zero_exit_is_a_failure_with_its_code_and_output()
    {
        var result = await new ProcessHookRunner().RunAsync(Script("echo broken >&2; exit 3"), Run, TimeSpan.FromSeconds(10));

        Assert.False(result.Ok);
        Assert.Equal("exit 3; output: broken", result.Detail);
    }

    [Fact]
    public async Task A_hook_that_takes_too_long_is_killed_with_its_children()
    {
        var pidFile = Path.Combine(_dir, "child");
        var started = DateTime.UtcNow;
        var result = await new ProcessHookRunner().RunAsync(Script($"sleep 30 & echo $! > {pidFile}; wait"), Run, TimeSpan.FromMilliseconds(500));

        Assert.False(result.Ok);
        Assert.StartsWith("timed out after 500 ms and was killed", result.Detail);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{child}") && !File.ReadAllText($"/proc/{child}/stat").Contains(") Z ", StringComparison.Ordinal),
            "the hook's child still runs");
    }

    [Fact]
    public async Task A_command_that_cannot_start_is_a_failure()
    {
        var result = await new ProcessHookRunner().RunAsync(Path.Combine(_dir, "missing"), Run, TimeSpan.FromSeconds(1));

        Assert.False(result.Ok);
        Assert.StartsWith("could not start", result.Detail);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
