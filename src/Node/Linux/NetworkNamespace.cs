using System.Runtime.InteropServices;
using static Tmds.Linux.LibC;

namespace ActorVip.Node.Linux;

/// <summary>
/// Moves the calling thread into a named network namespace (/run/netns/NAME, as made by `ip netns add`)
/// until disposed. Sockets opened meanwhile stay in that namespace for their whole life, which is how
/// tests drive the real kernel inside namespaces of their own without touching the host's.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly int _original;
    private readonly int _thread = Environment.CurrentManagedThreadId;

    private NetworkNamespace(int original) => _original = original;

    public static NetworkNamespace Enter(string name)
    {
        var original = OpenOrThrow("/proc/thread-self/ns/net");
        var target = OpenOrThrow($"/run/netns/{name}");
        try
        {
            if (setns(target, CloneNewNet) != 0)
                throw new IOException($"Cannot enter network namespace '{name}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }
        catch
        {
            close(original);
            throw;
        }
        finally
        {
            close(target);
        }
        return new NetworkNamespace(original);
    }

    public void Dispose()
    {
        if (Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException("A network namespace scope must be left on the thread that entered it.");
        setns(_original, CloneNewNet);
        close(_original);
    }

    private static unsafe int OpenOrThrow(string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            var fd = open(p, O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw new IOException($"Cannot open {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            return fd;
        }
    }
}
