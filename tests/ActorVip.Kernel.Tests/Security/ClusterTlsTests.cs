using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorVip.Node.Cli;
using ActorVip.Node.Configuration;
using ActorVip.Node.Security;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using Xunit.Abstractions;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorVip.Kernel.Tests.Security;

/// <summary>
/// Akka.Remote's TLS with ActorVip's peer check, in one process on 127.0.0.1: nodes of the cluster CA form a
/// cluster; a node whose certificate comes from another CA is refused by the accepting side even though it
/// trusts the cluster CA itself (the mutual part), and a bad configuration fails with one line naming the setting.
/// </summary>
public sealed class ClusterTlsTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestAuthority _cluster = new("cluster");
    private readonly List<ActorSystem> _systems = new();

    [Fact]
    public async Task Nodes_of_the_cluster_CA_form_a_cluster_and_a_node_of_another_CA_is_refused_by_the_accepting_side()
    {
        using var foreign = new TestAuthority("foreign", _cluster.Folder);
        var seed = Start("seed", Load(_cluster.Issue("seed", IPAddress.Loopback)));
        var refusals = Refusals(seed);
        var second = Start("second", Load(_cluster.Issue("second", IPAddress.Loopback)));
        var seedAddress = AkkaCluster.Get(seed).SelfAddress;
        output.WriteLine($"seed address {seedAddress}");

        await Task.WhenAll(UpAsync(seed, seedAddress), UpAsync(second, seedAddress));
        Assert.Equal(2, AkkaCluster.Get(seed).State.Members.Count(m => m.Status == MemberStatus.Up));

        // The intruder trusts the cluster CA, so only the seed's check of the client certificate can stop it.
        var (certificate, key) = foreign.Issue("intruder", IPAddress.Loopback);
        var intruderCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificate, key);
        var intruder = Start(
            "intruder",
            new DotNettySslSetup(intruderCertificate, false, true, false, PeerTrust.Validator(Load(_cluster.Issue("unused", IPAddress.Loopback)).Authority)));
        AkkaCluster.Get(intruder).Join(seedAddress);

        var refusal = await refusals.Task.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine(refusal);
        Assert.Contains("CN=intruder", refusal);
        Assert.DoesNotContain(AkkaCluster.Get(seed).State.Members, m => m.Address.Equals(AkkaCluster.Get(intruder).SelfAddress));
        Assert.DoesNotContain(AkkaCluster.Get(intruder).State.Members, m => m.Status == MemberStatus.Up);
    }

    [Fact]
    public async Task A_node_whose_own_outbound_handshake_fails_is_stopped_with_the_reason_actorvip_run_names()
    {
        // SECURITY.md's limit of Akka.Remote: the stranger refuses the seed's certificate, so its own outbound handshake
        // fails and Akka stops it. `actorvip run` recognises that only by the reason's type name, which Akka keeps internal.
        using var foreign = new TestAuthority("foreign", _cluster.Folder);
        var seed = Start("seed", Load(_cluster.Issue("seed", IPAddress.Loopback)));
        var (certificate, key) = foreign.Issue("stranger", IPAddress.Loopback);
        var stranger = Start("stranger", ClusterCertificates.Load(new TlsSettings(true, certificate, key, "", foreign.CaFile)));
        AkkaCluster.Get(stranger).Join(AkkaCluster.Get(seed).SelfAddress);

        var waited = Stopwatch.StartNew();
        while (CoordinatedShutdown.Get(stranger).ShutdownReason is null && waited.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(100);
        output.WriteLine($"stranger stopped after {waited.Elapsed.TotalSeconds:0.0} s: {CoordinatedShutdown.Get(stranger).ShutdownReason}");
        Assert.Equal(RunCommand.TlsHandshakeFailureReason, CoordinatedShutdown.Get(stranger).ShutdownReason?.GetType().Name);
    }

    [Fact]
    public void A_certificate_of_another_CA_is_a_config_error_naming_tls_certificate()
    {
        using var foreign = new TestAuthority("foreign", _cluster.Folder);
        var (certificate, key) = foreign.Issue("stray", IPAddress.Loopback);
        var e = Assert.Throws<ConfigException>(() => ClusterCertificates.Load(new TlsSettings(true, certificate, key, "", _cluster.CaFile)));
        output.WriteLine(e.Message);
        Assert.StartsWith($"tls.certificate: '{certificate}' (CN=stray) is not accepted by the cluster CA", e.Message);
    }

    [Theory]
    [InlineData("1.3.6.1.5.5.7.3.1")]
    [InlineData("1.3.6.1.5.5.7.3.2")]
    [InlineData("1.3.6.1.5.5.7.3.4")]
    public void A_certificate_without_both_serverAuth_and_clientAuth_is_a_config_error(string usage)
    {
        var (certificate, key) = _cluster.Issue("oneway", IPAddress.Loopback, [new System.Security.Cryptography.Oid(usage)]);
        var e = Assert.Throws<ConfigException>(() => ClusterCertificates.Load(new TlsSettings(true, certificate, key, "", _cluster.CaFile)));
        output.WriteLine(e.Message);
        Assert.Contains("its extended key usage lacks serverAuth or clientAuth", e.Message);
    }

    [Fact]
    public void Missing_or_unreadable_files_are_config_errors_naming_the_setting()
    {
        var (certificate, key) = _cluster.Issue("n1", IPAddress.Loopback);
        var garbage = Path.Combine(_cluster.Folder, "garbage.pem");
        File.WriteAllText(garbage, "not a key\n");
        var cases = new (TlsSettings Settings, string Setting)[]
        {
            (new(true, Path.Combine(_cluster.Folder, "missing.pem"), key, "", _cluster.CaFile), "tls.certificate"),
            (new(true, certificate, Path.Combine(_cluster.Folder, "missing-key.pem"), "", _cluster.CaFile), "tls.key"),
            (new(true, certificate, garbage, "", _cluster.CaFile), "tls.key"),
            // A bad certificate was blamed on the key read with it.
            (new(true, garbage, key, "", _cluster.CaFile), "tls.certificate"),
            (new(true, certificate, key, "", Path.Combine(_cluster.Folder, "missing-ca.pem")), "tls.ca"),
            (new(true, certificate, key, "", garbage), "tls.ca"),
        };
        foreach (var (settings, setting) in cases)
        {
            var e = Assert.Throws<ConfigException>(() => ClusterCertificates.Load(settings));
            output.WriteLine(e.Message);
            Assert.StartsWith($"{setting}: ", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        Assert.Equal("CN=n1", ClusterCertificates.Load(new TlsSettings(true, certificate, key, "", _cluster.CaFile)).Node.Subject);
    }

    private ClusterCertificates Load((string Certificate, string Key) files) =>
        ClusterCertificates.Load(new TlsSettings(true, files.Certificate, files.Key, "", _cluster.CaFile));

    private ActorSystem Start(string name, ClusterCertificates certificates) => Start(name, PeerTrust.Setup(certificates));

    private ActorSystem Start(string name, DotNettySslSetup tls)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = INFO
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{FreePort()}}, enable-ssl = on }
            akka.cluster.seed-node-timeout = 2s
            akka.cluster.retry-unsuccessful-join-after = 2s
            """);
        var system = ActorSystem.Create("actorvip", BootstrapSetup.Create().WithConfig(config).And(tls));
        _systems.Add(system);
        output.WriteLine($"{name}: {AkkaCluster.Get(system).SelfAddress}");
        return system;
    }

    private static Task UpAsync(ActorSystem system, Address seed)
    {
        var up = new TaskCompletionSource();
        AkkaCluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        AkkaCluster.Get(system).Join(seed);
        return up.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Completes with the first "tls: refused" warning the system logs.</summary>
    private static TaskCompletionSource<string> Refusals(ActorSystem system)
    {
        var refused = new TaskCompletionSource<string>();
        var listener = system.ActorOf(Props.Create(() => new RefusalListener(refused)));
        system.EventStream.Subscribe(listener, typeof(Warning));
        return refused;
    }

    private sealed class RefusalListener : ReceiveActor
    {
        public RefusalListener(TaskCompletionSource<string> refused) =>
            Receive<Warning>(w => w.Message.ToString()?.StartsWith("tls: refused", StringComparison.Ordinal) == true,
                w => refused.TrySetResult(w.Message.ToString()!));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Task.WhenAll(_systems.Select(s => s.Terminate())).Wait(TimeSpan.FromSeconds(10));
        _cluster.Dispose();
    }
}
