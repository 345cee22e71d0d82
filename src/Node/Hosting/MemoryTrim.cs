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
        ReturnGrownHeap();
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

    /// <summary>
    /// After a burst (a connection flood, a failover storm) the GC keeps the heap it grew to: 25 MB more than idle a
    /// minute after a flood of the cluster port. When the committed heap is well above what it was at the first trim,
    /// one aggressive collection compacts it and gives the free part back; an idle node never pays for it.
    /// </summary>
    private void ReturnGrownHeap()
    {
        var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        if (_baseline == 0)
        {
            _baseline = committed;
            return;
        }
        if (committed <= _baseline + GrowthBeforeCollect) return;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _baseline = Math.Min(_baseline, GC.GetGCMemoryInfo().TotalCommittedBytes);
    }

    private const long GrowthBeforeCollect = 8 * 1024 * 1024;
    private long _baseline;

    public void Dispose() => _timer.Dispose();

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
