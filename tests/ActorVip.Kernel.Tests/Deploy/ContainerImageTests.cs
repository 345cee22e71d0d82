using System.Text.Json;
using System.Text.RegularExpressions;
using ActorVip.Kernel.Tests.Lab;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Deploy;

/// <summary>
/// The image that deploy/build-image.sh builds here, against deploy/Containerfile (what users with registry
/// access build) and the manifests that run it: same paths, user, entry point and file capabilities.
/// </summary>
public class ContainerImageTests(ITestOutputHelper output)
{
    [Fact]
    public void The_built_image_has_the_layout_of_the_Containerfile_and_the_user_and_arguments_of_the_manifest()
    {
        var image = DeployArtifacts.Image;
        var registry = FinalStage(File.ReadAllText(Path.Combine(DeployArtifacts.RepositoryRoot, "deploy", "Containerfile")));
        var offline = FinalStage(File.ReadAllText(Path.Combine(DeployArtifacts.RepositoryRoot, "deploy", "Containerfile.offline")));
        foreach (var instruction in new[] { "USER", "ENTRYPOINT", "CMD" })
            Assert.Equal(Single(registry, instruction), Single(offline, instruction));
        var destination = Single(registry, "COPY").Split(' ')[^1];
        Assert.Equal(destination, Single(offline, "COPY").Split(' ')[^1]);
        var setcap = Regex.Match(string.Join('\n', registry), @"setcap (\S+) (\S+)");
        Assert.True(setcap.Success, "deploy/Containerfile sets no file capabilities");

        var config = JsonDocument.Parse(Podman.Checked("image", "inspect", "--format", "{{json .Config}}", image)).RootElement;
        output.WriteLine(config.ToString());
        var entrypoint = config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!).ToList();
        var cmd = config.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(JsonSerializer.Deserialize<List<string>>(Single(registry, "ENTRYPOINT")), entrypoint);
        Assert.Equal(JsonSerializer.Deserialize<List<string>>(Single(registry, "CMD")), cmd);
        Assert.StartsWith(destination, entrypoint[0]);
        Assert.Equal(setcap.Groups[2].Value, entrypoint[0]);

        // The Containerfile's USER $APP_UID is the .NET images' app user; the manifest runs as the same uid.
        var manifest = PodManifest.Parse(ActorVipProcess.RunToEnd(null, "manifest", "pod", "--interface", "eth0", "--address", "192.0.2.100").Stdout);
        Assert.Equal(manifest.RunAsUser.ToString(), config.GetProperty("User").GetString());
        Assert.Contains($"APP_UID={manifest.RunAsUser}", config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("run", manifest.Args[0]);
        Assert.Equal(cmd, manifest.Args.Take(cmd.Count));
        // The manifest's default image name is the one the script builds (a short name finds localhost/).
        Assert.Equal(
            Podman.Checked("image", "inspect", "--format", "{{.Id}}", image),
            Podman.Checked("image", "inspect", "--format", "{{.Id}}", manifest.Image));

        var mount = Podman.Checked("image", "mount", image);
        try
        {
            var caps = Shell.Run("getcap", Path.Join(mount, entrypoint[0])).ThrowIfFailed("getcap").Stdout;
            Assert.Contains(setcap.Groups[1].Value, caps);
            Assert.False(File.Exists(Path.Join(mount, "bin", "sh")), "the image has a shell; the base is meant to hold only the runtime's libraries");
        }
        finally
        {
            Podman.Run("image", "unmount", image);
        }
        var size = long.Parse(Podman.Checked("image", "inspect", "--format", "{{.Size}}", image));
        output.WriteLine($"{image}: {size / 1_000_000} MB");
        Assert.True(size < 120_000_000, $"the image is {size / 1_000_000} MB; the goal is under 120 MB");
    }

    [Fact]
    public void The_image_runs_as_the_manifest_user_with_exactly_net_admin_and_net_raw_and_refuses_to_start_without_them()
    {
        var image = DeployArtifacts.Image;
        var manifest = PodManifest.Parse(ActorVipProcess.RunToEnd(null, "manifest", "pod", "--interface", "lo", "--address", "192.0.2.100").Stdout);
        string[] Run(params string[] caps) =>
        [
            "run", "--rm", "--network", "none", "--user", $"{manifest.RunAsUser}:{manifest.RunAsGroup}", "--read-only", "--cap-drop", "ALL",
            .. caps.SelectMany(c => new[] { "--cap-add", c }), .. Podman.Limits, image, "check", "--interface", "lo", "--address", "192.0.2.100",
        ];
        var check = Podman.Run(Run([.. manifest.CapabilitiesAdded]));
        output.WriteLine(check.Stdout + check.Stderr);
        Assert.Equal(0, check.ExitCode);
        Assert.Contains("ok       CAP_NET_ADMIN", check.Stdout);
        Assert.Contains("ok       CAP_NET_RAW", check.Stdout);

        // File capabilities the bounding set lacks: the kernel refuses the exec itself (what a pod without capabilities.add sees).
        var without = Podman.Run(Run());
        output.WriteLine(without.Stdout + without.Stderr);
        Assert.NotEqual(0, without.ExitCode);
        Assert.Contains("operation not permitted", without.Stderr + without.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The instructions after the last FROM, continuation lines joined, comments dropped.</summary>
    private static List<string> FinalStage(string containerfile)
    {
        var joined = Regex.Replace(containerfile, @"\\\n", " ");
        var lines = joined.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        return lines.Skip(lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal))).ToList();
    }

    private static string Single(List<string> stage, string instruction) =>
        Assert.Single(stage, l => l.StartsWith(instruction + " ", StringComparison.Ordinal))[(instruction.Length + 1)..].Trim();
}
