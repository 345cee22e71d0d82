namespace ActorVip.Tests.Deploy;

/// <summary>
/// What the published binary carries: no Akka package the code does not use. Akka.Cluster.Sharding was referenced and
/// never used (placement is one singleton's pure decision; the quorum lease, not a shard coordinator, says who owns a VIP),
/// and it brought LightningDB and liblmdb.so into every install (docs/DESIGN-NOTES.md, "No Akka.Cluster.Sharding").
/// </summary>
public class DependencyTests
{
    [Fact]
    public void Akka_cluster_sharding_is_in_no_dependency_list()
    {
        // The deps.json of this test assembly is written on every build from the whole project graph (Node, Cluster, ...).
        var deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ActorVip.Tests.deps.json"));
        Assert.DoesNotContain("Akka.Cluster.Sharding", deps, StringComparison.Ordinal);
        Assert.DoesNotContain("LightningDB", deps, StringComparison.Ordinal);
    }

    [Fact]
    public void Akka_cluster_sharding_is_named_in_no_project_file()
    {
        foreach (var file in new[] { "Directory.Packages.props", "Directory.Build.props", "src/Cluster/ActorVip.Cluster.csproj" })
            Assert.DoesNotContain("Sharding", File.ReadAllText(RepositoryFiles.Path(file)), StringComparison.Ordinal);
    }
}
