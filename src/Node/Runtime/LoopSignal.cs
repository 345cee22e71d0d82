using System.ComponentModel;
using System.Runtime.InteropServices;

namespace ActorVip.Node.Runtime;

/// <summary>
/// Wakes one sleeping thread with one system call: a Linux eventfd that the sleeper polls with a timeout.
/// <see cref="System.Threading.Monitor"/>'s Wait/Pulse costs the sleeper two or three context switches per wake
/// (the runtime's event, then the monitor it must take again while the poster still holds it), which on a
/// paravirtualised guest is most of an idle node's CPU. The caller decides under its own lock whether the
/// sleeper needs waking and calls <see cref="Set"/> after releasing it.
/// </summary>
internal sealed unsafe class LoopSignal : IDisposable
{
    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;
    private const short PollIn = 0x1;
    private const int EINTR = 4;
    private const int EAGAIN = 11;

    /// <summary>Added to <see cref="_setters"/> on dispose: a negative count turns <see cref="Set"/> into a no-op.</summary>
    private const int Closed = int.MinValue / 2;

    private readonly int _fd;
    private int _setters;
    private int _disposed;

    public LoopSignal()
    {
        _fd = eventfd(0, EfdCloexec | EfdNonblock);
        if (_fd < 0)
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "eventfd failed: the actor loop needs Linux");
    }

    /// <summary>Makes the next (or the current) <see cref="Wait"/> return at once.</summary>
    public void Set()
    {
        // Counted, so that Dispose never closes the descriptor under a write (a reused number would get our 8 bytes).
        if (Interlocked.Increment(ref _setters) > 0)
        {
            ulong one = 1;
            // EAGAIN: the counter is already huge, so the sleeper is woken anyway.
            while (write(_fd, &one, 8) < 0 && Marshal.GetLastPInvokeError() == EINTR) { }
        }
        Interlocked.Decrement(ref _setters);
    }

    /// <summary>Sleeps until <see cref="Set"/> or until <paramref name="timeout"/> (infinite: -1 ms) passed; clears the signal.</summary>
    public void Wait(TimeSpan timeout)
    {
        var ms = timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Ceiling(Math.Min(timeout.TotalMilliseconds, int.MaxValue - 1));
        var fds = new PollFd { Fd = _fd, Events = PollIn };
        // EINTR or a timeout: the caller looks at its deadlines again either way.
        if (poll(&fds, 1, ms) <= 0 || (fds.Revents & PollIn) == 0) return;
        ulong count;
        if (read(_fd, &count, 8) < 0 && Marshal.GetLastPInvokeError() is not (EAGAIN or EINTR))
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "reading the actor loop's eventfd failed");
    }

    /// <summary>Closes the eventfd once no <see cref="Set"/> is writing to it; later calls to Set do nothing. Not while someone waits.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Interlocked.Add(ref _setters, Closed);
        var spin = new SpinWait();
        while (Volatile.Read(ref _setters) != Closed) spin.SpinOnce();
        close(_fd);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int eventfd(uint initval, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int poll(PollFd* fds, nuint nfds, int timeout);

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, void* buf, nuint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, void* buf, nuint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
