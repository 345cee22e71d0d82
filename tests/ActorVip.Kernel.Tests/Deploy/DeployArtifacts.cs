namespace ActorVip.Kernel.Tests.Deploy;

/// <summary>
/// The container image, the Debian package and the systemd test image, each made once per test run by the
/// repository's own scripts. tools/test.sh makes the first two before the tests (one publish for both) and
/// names them in ACTORVIP_TEST_IMAGE and ACTORVIP_TEST_DEB; a test run without them (dotnet test alone)
/// builds them here from the current source.
/// </summary>
public static class DeployArtifacts
{
    private static readonly Lazy<string> PublishDirectory = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), $"actorvip-test-publish-{Environment.ProcessId}");
        Script("bash", "deploy/publish.sh", dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, true); } catch (IOException) { } };
        return dir;
    });

    private static readonly Lazy<string> LazyImage = new(() =>
    {
        if (Environment.GetEnvironmentVariable("ACTORVIP_TEST_IMAGE") is { Length: > 0 } built)
        {
            Assert.True(Podman.Run("image", "exists", built).ExitCode == 0, $"ACTORVIP_TEST_IMAGE={built} names no image in podman's store");
            return built;
        }
        return Script("bash", "deploy/build-image.sh", "--publish", PublishDirectory.Value);
    });

    private static readonly Lazy<string> LazyDeb = new(() =>
    {
        if (Environment.GetEnvironmentVariable("ACTORVIP_TEST_DEB") is { Length: > 0 } built)
        {
            Assert.True(File.Exists(built), $"ACTORVIP_TEST_DEB={built} is no file");
            return built;
        }
        var dir = Path.Combine(Path.GetTempPath(), $"actorvip-test-deb-{Environment.ProcessId}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, true); } catch (IOException) { } };
        return Script("bash", "deploy/build-deb.sh", "--publish", PublishDirectory.Value, "--out", dir, "--no-lintian");
    });

    private static readonly Lazy<string> LazySystemdImage = new(() => Script("bash", "tests/systemd/prepare.sh"));

    /// <summary>localhost/actorvip:VERSION, built by deploy/build-image.sh.</summary>
    public static string Image => LazyImage.Value;

    /// <summary>The path of actorvip_VERSION_amd64.deb, built by deploy/build-deb.sh.</summary>
    public static string Deb => LazyDeb.Value;

    /// <summary>Debian with systemd as PID 1 and the package's dependencies (tests/systemd/prepare.sh).</summary>
    public static string SystemdImage => LazySystemdImage.Value;

    /// <summary>The repository's root: the folder above the test binaries that holds ActorVip.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "ActorVip.sln"))) return dir.FullName;
            throw new InvalidOperationException($"no ActorVip.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>Runs a repository script from the root; its last line of stdout is what it made.</summary>
    private static string Script(string file, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed with exit {p.ExitCode}:\n{stderr.Result}{stdout}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim()
               ?? throw new InvalidOperationException($"{file} {string.Join(' ', args)} printed nothing");
    }
}
