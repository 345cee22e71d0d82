using System.CommandLine;
using System.Net;
using ActorVip.Node.Ipvs;
using ActorVip.Node.Ipvs.Rules;
using ActorVip.Node.Linux.Ipvs;

namespace ActorVip.Node.Cli;

/// <summary>
/// `actorvip ipvs apply|save`: the kernel's IPVS table in ipvsadm's rule format, for operators and tests.
/// Exit codes: 0 done, 1 the kernel refused, 2 bad input.
/// </summary>
public static class IpvsCommand
{
    public const int Ok = 0;
    public const int KernelError = 1;
    public const int BadInput = 2;

    /// <summary>The largest rules file read: 16 MiB is some 250,000 rules, far beyond what IPVS serves well.</summary>
    public const long MaxRulesBytes = 16 * 1024 * 1024;

    public static Command Create()
    {
        var command = new Command("ipvs", "Read or set the kernel's IPVS table in ipvsadm's rule format (ipvsadm -S / -R).");
        command.Subcommands.Add(CreateApply());
        command.Subcommands.Add(CreateSave());
        command.Subcommands.Add(CreateInfo());
        command.Subcommands.Add(CreateTimeout());
        return command;
    }

    private static Command CreateApply()
    {
        var file = new Option<string>("--file") { Required = true, Description = "Rules as `ipvsadm -S -n` prints them; - reads standard input." };
        var owned = new Option<string[]>("--owned")
        {
            Description = "A prefix (192.0.2.0/24, 2001:db8::/64) whose services this command owns: those the file does not list are deleted.",
            AllowMultipleArgumentsPerToken = true,
        };
        var apply = new Command("apply", "Make every service in the file exactly as written; delete owned services the file does not list; leave the rest.");
        apply.Options.Add(file);
        apply.Options.Add(owned);
        apply.SetAction(parse => Apply(parse.GetValue(file)!, parse.GetValue(owned) ?? [], Console.Out, Console.Error));
        return apply;
    }

    private static Command CreateSave()
    {
        var save = new Command("save", "Print the kernel's IPVS table as `ipvsadm -S -n` does.");
        save.SetAction(_ => Save(Console.Out, Console.Error));
        return save;
    }

    private static Command CreateInfo()
    {
        var info = new Command("info", "Print the IPVS version and connection table size as `ipvsadm -L -n` heads its list.");
        info.SetAction(_ => WithClient(Console.Error, client =>
        {
            var i = client.GetInfo();
            Console.Out.WriteLine($"IP Virtual Server version {i.VersionText} (size={i.ConnectionTableSize})");
        }));
        return info;
    }

    private static Command CreateTimeout()
    {
        var tcp = new Option<uint>("--tcp") { Description = "TCP session timeout in seconds." };
        var tcpFin = new Option<uint>("--tcpfin") { Description = "TCP timeout after a FIN, in seconds." };
        var udp = new Option<uint>("--udp") { Description = "UDP timeout in seconds." };
        var timeout = new Command("timeout", "Set the timeouts given (like ipvsadm --set), then print them as `ipvsadm -L --timeout` does.");
        timeout.Options.Add(tcp);
        timeout.Options.Add(tcpFin);
        timeout.Options.Add(udp);
        timeout.SetAction(parse => WithClient(Console.Error, client =>
        {
            var change = new IpvsTimeouts(parse.GetValue(tcp), parse.GetValue(tcpFin), parse.GetValue(udp));
            if (change != new IpvsTimeouts(0, 0, 0)) client.SetTimeouts(change);
            var t = client.GetTimeouts();
            Console.Out.WriteLine($"Timeout (tcp tcpfin udp): {t.Tcp} {t.TcpFin} {t.Udp}");
        }));
        return timeout;
    }

    public static int Apply(string path, IReadOnlyList<string> ownedPrefixes, TextWriter output, TextWriter error)
    {
        IpvsTable desired;
        var prefixes = new List<IPNetwork>();
        try
        {
            foreach (var owned in ownedPrefixes)
            {
                if (!IpvsOwnership.TryParsePrefix(owned, out var prefix))
                    return Fail(error, BadInput, $"--owned {owned} is not a prefix: write it like 192.0.2.0/24 or 2001:db8::/64 with no host bits set");
                prefixes.Add(prefix);
            }
            var text = path == "-"
                ? Text.BoundedFile.Read(Console.OpenStandardInput(), MaxRulesBytes)
                : Text.BoundedFile.ReadText(path, MaxRulesBytes);
            desired = IpvsRulesParser.Parse(text);
        }
        catch (IpvsRulesException e)
        {
            return Fail(error, BadInput, $"{path}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(error, BadInput, $"cannot read {path}: {e.Message} (expected a rules file as ipvsadm -S -n prints it, or - for standard input)");
        }

        var ownership = new IpvsOwnership(prefixes);
        try
        {
            using var client = IpvsClient.Open();
            var changes = IpvsReconciler.Apply(client, desired, ownership.Owns);
            foreach (var change in changes) output.WriteLine(IpvsRulesPrinter.Change(change));
            if (changes.Count == 0) output.WriteLine("no change");
            return Ok;
        }
        catch (IpvsException e)
        {
            return Fail(error, KernelError, e.Message);
        }
    }

    public static int Save(TextWriter output, TextWriter error) =>
        WithClient(error, client => output.Write(IpvsRulesPrinter.Save(client.List())));

    private static int WithClient(TextWriter error, Action<IpvsClient> action)
    {
        try
        {
            using var client = IpvsClient.Open();
            action(client);
            return Ok;
        }
        catch (IpvsException e)
        {
            return Fail(error, KernelError, e.Message);
        }
    }

    private static int Fail(TextWriter error, int code, string sentence)
    {
        // A rules file may be anything a user named: never echo its bytes to the terminal as they are.
        error.WriteLine($"actorvip ipvs: {Program.OneLine(sentence)}");
        return code;
    }
}
