using System.Runtime.InteropServices;

namespace ActorVip.Node.Hosting;

/// <summary>
/// Hands memory that start-up used and no longer needs back to the kernel. Loading types and compiling methods
/// leave glibc's heaps full of freed chunks that glibc keeps; an idle node then carried about 9 MB of resident
/// memory it did not use (docs/BENCHMARKS.md). malloc_trim(0) returns the free pages of every heap. It runs a
/// while after start (most code has been compiled by then) and then now and again, since a failover or a new
/// member compiles code too. Off the actor loop: a System.Threading.Timer on the thread pool.
/// </summary>
public sealed partial class MemoryTrim : IDisposable
{
    private readonly Timer _timer;
    private bool _unsupported;

    private MemoryTrim(TimeSpan first, TimeSpan every)
    {
        _timer = new Timer(_ => Trim(), null, first, every);
    }

    public static MemoryTrim Start(TimeSpan first, TimeSpan every) => new(first, every);

    /// <summary>Gives free heap pages back; false where the C library has no malloc_trim (musl).</summary>
    public bool Trim()
    {
        if (_unsupported) return false;
        try
        {
            MallocTrim(0);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _unsupported = true;
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
            return false;
        }
    }

    public void Dispose() => _timer.Dispose();

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
