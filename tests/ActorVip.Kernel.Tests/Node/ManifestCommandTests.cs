using ActorVip.Kernel.Tests.Lab;

namespace ActorVip.Kernel.Tests.Node;

/// <summary>
/// `actorvip manifest pod|daemonset` as a user runs it: the seeds on the command line or in a file, no --node-address,
/// since each pod's address is its own $(POD_IP). The check that a node is one of the seeds is about a running node
/// and refused exactly this in CI once.
/// </summary>
public class ManifestCommandTests
{
    private static readonly string[] Seeds = ["--seed", "192.0.2.11:4053", "--seed", "192.0.2.12:4053", "--seed", "192.0.2.13:4053"];

    [Theory]
    [InlineData("pod")]
    [InlineData("daemonset")]
    public void Seeds_without_a_node_address_make_a_manifest_whose_node_address_is_the_pod_ip(string kind)
    {
        var (code, stdout, stderr) = ActorVipProcess.RunToEnd(null, ["manifest", kind, "--interface", "eth0", "--address", "192.0.2.100",
            "--nodes", "3", .. Seeds]);
        Assert.True(code == 0, stderr);
        Assert.Contains("$(POD_IP):4053", stdout);
        Assert.Contains("192.0.2.11:4053,192.0.2.12:4053,192.0.2.13:4053", stdout);
    }

    [Fact]
    public void Seeds_from_a_config_file_are_enough_too()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "actorvip { nodes = 3, seeds = [\"192.0.2.11:4053\", \"192.0.2.12:4053\", \"192.0.2.13:4053\"] }\n");
            var (code, stdout, stderr) = ActorVipProcess.RunToEnd(null, "manifest", "pod", "--config", file, "--interface", "eth0", "--address", "192.0.2.100");
            Assert.True(code == 0, stderr);
            Assert.Contains("$(POD_IP):4053", stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_node_address_that_is_no_seed_is_still_refused_when_given()
    {
        var (code, _, stderr) = ActorVipProcess.RunToEnd(null, ["manifest", "pod", "--interface", "eth0", "--address", "192.0.2.100", "--nodes", "3",
            "--node-address", "192.0.2.14:4053", .. Seeds]);
        Assert.Equal(2, code);
        Assert.StartsWith("actorvip: seed: node-address 192.0.2.14:4053 is not one of the seeds", stderr);
    }
}
