using System.Diagnostics;
using static Tmds.Linux.LibC;

namespace ActorVip.Lab.Demo;

/// <summary>
/// A long-running program started inside a lab namespace with its stdout and stderr in a log file.
/// `sh -c exec` and `ip netns exec` both exec, so <see cref="Pid"/> is the program itself and a signal reaches it directly.
/// </summary>
public sealed class LabProcess : IDisposable
{
    private readonly Process _process;

    private LabProcess(Process process, string ns, string logPath, DateTime started)
    {
        _process = process;
        Namespace = ns;
        LogPath = logPath;
        Started = started;
    }

    public string Namespace { get; }
    public string LogPath { get; }
    public DateTime Started { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    internal static LabProcess Start(string ns, IReadOnlyList<string> command, string logPath)
    {
        var psi = new ProcessStartInfo("sh") { UseShellExecute = false, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$@\" >\"$LAB_LOG\" 2>&1 </dev/null");
        psi.ArgumentList.Add("sh");
        foreach (var a in new[] { "ip", "netns", "exec", ns }.Concat(command)) psi.ArgumentList.Add(a);
        psi.Environment["LAB_LOG"] = logPath;
        var started = DateTime.UtcNow;
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"Cannot start {string.Join(' ', command)} in {ns}.");
        return new LabProcess(p, ns, logPath, started);
    }

    /// <summary>Sends a signal to the program and, with <paramref name="tree"/>, to every process it started.</summary>
    public void Signal(int signal, bool tree = false)
    {
        if (HasExited) return;
        var pids = tree ? Descendants(Pid).Prepend(Pid).ToList() : [Pid];
        foreach (var pid in pids) kill(pid, signal);
    }

    public bool WaitForExit(TimeSpan within) => _process.WaitForExit(within);

    /// <summary>Everything the program printed so far (stdout and stderr, interleaved as written).</summary>
    public string Output
    {
        get
        {
            // The process's own redirection creates the file: read just after the start, it may not be there yet.
            if (!File.Exists(LogPath)) return "";
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
    }

    /// <summary>The last lines of the log, for a failure message.</summary>
    public string Tail(int lines = 30)
    {
        try
        {
            // Stack frames and repeated proxy chatter would crowd out the lines that tell what happened.
            var all = Output.Split('\n')
                .Where(l => !l.StartsWith("   at ", StringComparison.Ordinal) && !l.Contains("Singleton identified", StringComparison.Ordinal));
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(no log: {e.Message})";
        }
    }

    /// <summary>Resident memory (kB) and CPU time (clock ticks) of the program and the processes it started, from /proc.</summary>
    public (long RssKb, long CpuTicks) Usage()
    {
        long rss = 0, ticks = 0;
        foreach (var pid in Descendants(Pid).Prepend(Pid))
        {
            try
            {
                rss += File.ReadAllLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                    .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).FirstOrDefault();
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // After the command come state (field 3) and on: utime is field 14, stime field 15.
                ticks += long.Parse(fields[11]) + long.Parse(fields[12]);
            }
            catch (IOException) { } // exited meanwhile
        }
        return (rss, ticks);
    }

    /// <summary>
    /// Context switches (voluntary and not) of every thread of the program and the processes it started, from /proc: each is a
    /// thread put to sleep or woken, what an idle process costs a virtual machine most (docs/DESIGN-NOTES.md).
    /// </summary>
    public long ContextSwitches()
    {
        long switches = 0;
        foreach (var pid in Descendants(Pid).Prepend(Pid))
        {
            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    switches += File.ReadAllLines($"{task}/status").Where(l => l.Contains("ctxt_switches:", StringComparison.Ordinal))
                        .Sum(l => long.Parse(l.Split(':')[1].Trim()));
                }
            }
            catch (IOException) { } // exited meanwhile (a thread or the process)
        }
        return switches;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Signal(SIGCONT, tree: true); // a stopped process dies on SIGKILL anyway, but its children may wait
                _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    private static IEnumerable<int> Descendants(int root)
    {
        var parentOf = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                parentOf[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
            }
            catch (IOException) { }
        }
        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.Count > 0)
        {
            var p = frontier.Dequeue();
            foreach (var child in parentOf.Where(kv => kv.Value == p).Select(kv => kv.Key))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        }
        return found;
    }
}
