using ActorVip.Kernel.Tests.Lab;
using Xunit.Abstractions;

namespace ActorVip.Kernel.Tests.Deploy;

/// <summary>The generated unit as systemd itself reads it (systemd-analyze verify, which also checks that the binaries exist).</summary>
public class SystemdUnitTests(ITestOutputHelper output)
{
    [Fact]
    public void The_generated_unit_passes_systemd_analyze_verify_with_no_complaint()
    {
        var dir = Directory.CreateTempSubdirectory("avt-unit-");
        try
        {
            var unit = ActorVipProcess.RunToEnd(null, "manifest", "systemd", "--binary", ActorVipProcess.Binary, "--config", "/etc/actorvip/actorvip.conf");
            Assert.Equal(0, unit.ExitCode);
            Assert.Contains($"ExecStart={ActorVipProcess.Binary} run --config /etc/actorvip/actorvip.conf", unit.Stdout);
            var path = Path.Combine(dir.FullName, "actorvip.service");
            File.WriteAllText(path, unit.Stdout);

            var verify = Shell.Run("systemd-analyze", "verify", path);
            output.WriteLine(verify.Stdout + verify.Stderr);
            Assert.Equal(0, verify.ExitCode);
            Assert.Equal("", verify.Stderr.Trim());
            Assert.Equal("", verify.Stdout.Trim());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Systemd_analyze_verify_does_complain_about_a_broken_unit()
    {
        // Shows that the test above can fail: a misspelt key in the same unit is reported.
        var dir = Directory.CreateTempSubdirectory("avt-unit-");
        try
        {
            var unit = ActorVipProcess.RunToEnd(null, "manifest", "systemd", "--binary", ActorVipProcess.Binary).Stdout;
            var path = Path.Combine(dir.FullName, "actorvip.service");
            File.WriteAllText(path, unit.Replace("WatchdogSec=5s", "WatchdogSecs=5s"));
            var verify = Shell.Run("systemd-analyze", "verify", path);
            Assert.Contains("WatchdogSecs", verify.Stderr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--binary", "actorvip")]
    [InlineData("--config", "/etc/actor vip.conf")]
    public void A_path_systemd_would_not_take_is_refused_with_exit_2(string option, string value)
    {
        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(null, "manifest", "systemd", option, value);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"actorvip: {option}: '{value}' is not an absolute path", stderr);
    }
}
