using ActorVip.Lab.Demo;

namespace ActorVip.Benchmarks;

/// <summary>
/// keepalived (Debian package) as the reference: one VRRP instance per node, all BACKUP with distinct priorities
/// (n1 highest), so that the election picks n1 as it picks a master in a typical control-plane setup.
/// </summary>
public sealed class KeepalivedService(int vrrpVersion, string advertInterval) : IVipService
{
    public string Name => $"keepalived vrrp{vrrpVersion} {advertInterval}s";

    public LabProcess Start(VipTopology topology, LabNode node)
    {
        var folder = Path.Combine(topology.Lab.TempDirectory, $"keepalived-{node.Name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "keepalived.conf");
        var priority = 200 - 10 * int.Parse(node.Name[1..]);
        File.WriteAllText(config, $$"""
            global_defs {
              router_id {{node.Name}}
              vrrp_version {{vrrpVersion}}
            }
            vrrp_instance VI_1 {
              state BACKUP
              interface eth0
              virtual_router_id 51
              priority {{priority}}
              advert_int {{advertInterval}}
              virtual_ipaddress {
                {{VipTopology.Vip}}/32 dev eth0
              }
            }
            """);
        return topology.Lab.StartLogged(node.Namespace, $"{node.Name}-keepalived.log",
            "keepalived", "-n", "-l", "-D", "-P", "-f", config,
            "-p", Path.Combine(folder, "keepalived.pid"), "-r", Path.Combine(folder, "vrrp.pid"), "-c", Path.Combine(folder, "checkers.pid"));
    }
}
