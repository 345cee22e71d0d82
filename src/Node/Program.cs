using System.CommandLine;
using ActorVip.Node.Cli;

// Temporary entry point of branch ipvs; the lead's Program.cs replaces it in the merge.
var root = new RootCommand("ActorVip: virtual IPs and IPVS load balancing for bare-metal clusters.");
root.Subcommands.Add(IpvsCommand.Create());
return root.Parse(args).Invoke();
