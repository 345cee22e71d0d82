using System.CommandLine;
using System.Reflection;
using ActorVip.Node.Configuration;
using ActorVip.Node.Deploy;

namespace ActorVip.Node.Cli;

/// <summary>`actorvip manifest systemd|pod|daemonset`: prints a unit or a Kubernetes manifest to standard output.</summary>
public static class ManifestCommand
{
    public static Command Create()
    {
        var command = new Command("manifest", "Print a systemd unit or a Kubernetes manifest for running nodes");
        command.Subcommands.Add(Systemd());
        command.Subcommands.Add(Kubernetes("pod", "Print a static pod for /etc/kubernetes/manifests on each master", KubernetesManifest.Pod));
        command.Subcommands.Add(Kubernetes("daemonset", "Print a DaemonSet that runs a node on every control-plane node", KubernetesManifest.DaemonSet));
        return command;
    }

    private static Command Systemd()
    {
        var binary = new Option<string>("--binary")
        {
            Description = "Path of the installed actorvip binary",
            DefaultValueFactory = _ => SystemdUnit.DefaultBinary
        };
        var config = new Option<string>("--config")
        {
            Description = "Path of the node's config file that the unit passes to the node",
            DefaultValueFactory = _ => SystemdUnit.DefaultConfig
        };
        var command = new Command("systemd", "Print the systemd unit (Type=notify, watchdog, reload, CAP_NET_ADMIN and CAP_NET_RAW only, cleanup after stop)")
        {
            binary, config
        };
        command.SetAction(result =>
        {
            foreach (var (name, path) in new[] { ("--binary", result.GetValue(binary)!), ("--config", result.GetValue(config)!) })
            {
                // systemd takes an absolute path as it is; anything else would be a unit that does not load.
                if (!path.StartsWith('/') || path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    Console.Error.WriteLine($"actorvip: {name}: '{path}' is not an absolute path without spaces (expected e.g. " +
                        $"{(name == "--binary" ? SystemdUnit.DefaultBinary : SystemdUnit.DefaultConfig)})");
                    return ExitCodes.BadInput;
                }
            }
            Console.Write(SystemdUnit.Render(result.GetValue(binary)!, result.GetValue(config)!));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Kubernetes(string name, string description, Func<NodeSettings, string, string> render)
    {
        var options = new NodeOptions();
        var image = new Option<string>("--image")
        {
            Description = "Container image built from deploy/Containerfile",
            DefaultValueFactory = _ => $"actorvip:{Version}"
        };
        var command = new Command(name, description) { image };
        options.AddTo(command);
        command.SetAction(result =>
        {
            // Each pod's node address is its own ($(POD_IP) in the manifest), so no one node-address fits them all; only its
            // port goes into the manifest. Without --node-address, the first seed stands in for it (the seeds share one port),
            // so that the check "a node is one of the seeds", which is about a running node, does not refuse the manifest.
            var overrides = options.Overrides(result);
            if (result.GetValue(options.NodeAddress) is null && options.Compose(result, overrides).GetStringList("actorvip.seeds") is [var first, ..])
                overrides.Set("actorvip.node-address", first.Trim());
            var (settings, _) = options.Load(result, overrides);
            if (settings.Vips.Count == 0)
            {
                Console.Error.WriteLine("actorvip: address: none given (expected at least one --address VIP[/PREFIX])");
                return ExitCodes.BadInput;
            }
            // The manifest carries the settings as environment variables, and a VIP's services have none.
            if (settings.Vips.FirstOrDefault(v => v.Services.Count > 0) is { } declared)
            {
                Console.Error.WriteLine($"actorvip: vips: {declared.Address} declares its own services, which environment variables cannot carry " +
                    "(expected VIPs without services here, i.e. the default service actorvip.lb; for per-VIP services mount the config file " +
                    "and run with --config)");
                return ExitCodes.BadInput;
            }
            Console.Write(render(settings, result.GetValue(image)!));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Version =>
        typeof(ManifestCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "latest";
}
