using System.Diagnostics;
using System.Security.Cryptography;
using ActorVip.Kernel.Tests.Lab;

namespace ActorVip.Kernel.Tests.Vm;

/// <summary>
/// The throwaway VM of TESTING.md level 5 (Debian's stock kernel, which has IPVS): prepares it with
/// tests/vm/prepare.sh (idempotent) and runs one script inside it with tests/vm/run-in-vm.sh, bringing back what
/// the script wrote. Missing pieces fail loudly; nothing here passes without the VM having run.
/// </summary>
public static class KernelVm
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>What one boot brought back.</summary>
    public sealed record Run(string Results, int ExitCode, TimeSpan WallTime, double BootSeconds, string Stdout, string Stderr)
    {
        public string File(string relative) => Path.Combine(Results, relative);
        public bool Has(string relative) => System.IO.File.Exists(File(relative));
        public string Read(string relative) => Has(relative)
            ? System.IO.File.ReadAllText(File(relative))
            : throw new FileNotFoundException($"The VM run left no {relative}; stdout: {Stdout} stderr: {Stderr} (results in {Results}).");
    }

    public static void Prepare()
    {
        if (!Shell.IsRoot) throw new InvalidOperationException("The kernel-VM tests need root (CI runs as root): prepare.sh installs packages and " +
            "the VM shares the host's /.");
        var prepare = Shell.Run("bash", [Path.Combine(RepositoryRoot, "tests/vm/prepare.sh")], TimeSpan.FromMinutes(15));
        if (prepare.ExitCode != 0)
            throw new InvalidOperationException($"tests/vm/prepare.sh failed with exit {prepare.ExitCode}: {prepare.Stderr.Trim()} {prepare.Stdout.Trim()}");
        var qemu = Shell.Run("qemu-system-x86_64", ["--version"], TimeSpan.FromSeconds(30));
        if (qemu.ExitCode != 0) throw new InvalidOperationException($"qemu-system-x86_64 cannot run here: {qemu.Stderr.Trim()}");
    }

    /// <summary>A fresh results folder; the script sees it as $VM_RESULTS (/vm).</summary>
    public static string NewResultsFolder(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), $"actorvip-vm-{purpose}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Boots the VM and runs <paramref name="script"/> (bash) with <paramref name="environment"/> exported.</summary>
    public static Run Boot(string results, string script, IReadOnlyDictionary<string, string> environment, TimeSpan limit)
    {
        var wrapper = Path.Combine(results, "run.sh");
        File.WriteAllText(wrapper,
            string.Concat(environment.Select(kv => $"export {kv.Key}='{kv.Value}'\n")) + $"exec bash '{script}'\n");
        var watch = Stopwatch.StartNew();
        var run = Shell.Run("bash", [Path.Combine(RepositoryRoot, "tests/vm/run-in-vm.sh"), wrapper, results, ((int)limit.TotalSeconds).ToString()],
            limit + TimeSpan.FromMinutes(1));
        watch.Stop();
        var boot = File.Exists(Path.Combine(results, "boot-seconds"))
            ? double.Parse(File.ReadAllText(Path.Combine(results, "boot-seconds")).Trim(), System.Globalization.CultureInfo.InvariantCulture)
            : double.NaN;
        return new Run(results, run.ExitCode, watch.Elapsed, boot, run.Stdout, run.Stderr);
    }

    /// <summary>Builds a project in Release into a folder of its own, for code that should run optimised in the VM.</summary>
    public static string BuildRelease(string project, string output)
    {
        Shell.Run("dotnet", ["build", Path.Combine(RepositoryRoot, project), "-c", "Release", "-o", output, "--nologo", "-v", "q"], TimeSpan.FromMinutes(10))
            .ThrowIfFailed($"dotnet build {project}");
        return output;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ActorVip.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Cannot find ActorVip.sln above {AppContext.BaseDirectory}.");
    }
}
