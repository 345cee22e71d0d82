namespace ActorVip.Kernel.Tests.Deploy;

/// <summary>
/// podman as it runs on these machines (TESTING.md section 7): runc, because crun refuses the host's hybrid
/// cgroups, and cgroupfs, because the host's PID 1 is not systemd; explicit ulimits, because the defaults
/// podman derives here make runc fail.
/// </summary>
public static class Podman
{
    private static readonly string[] Global = ["--runtime", "runc", "--cgroup-manager", "cgroupfs"];

    /// <summary>Options for every `podman run` of the tests.</summary>
    public static readonly string[] Limits = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"];

    public static HostCommand.Result Run(params string[] args) => HostCommand.Run("podman", Global.Concat(args).ToArray(), TimeSpan.FromMinutes(3));

    /// <summary>Runs podman and returns its trimmed stdout; throws with its stderr on a non-zero exit.</summary>
    public static string Checked(params string[] args) => Run(args).ThrowIfFailed($"podman {string.Join(' ', args)}").Stdout.Trim();

    /// <summary>Removes a container whatever its state; nothing happens when there is none.</summary>
    public static void Remove(string name) => Run("rm", "--force", "--time", "0", "--ignore", name);

    /// <summary>The names of the containers (running or not) whose name contains <paramref name="part"/>.</summary>
    public static IReadOnlyList<string> Containers(string part) =>
        Checked("ps", "--all", "--filter", $"name={part}", "--format", "{{.Names}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static string Logs(string name)
    {
        var result = Run("logs", name);
        return result.Stdout + result.Stderr;
    }

    public static int ExitCode(string name) => int.Parse(Checked("inspect", "--format", "{{.State.ExitCode}}", name));

    public static bool IsRunning(string name) => Checked("inspect", "--format", "{{.State.Running}}", name) == "true";
}
