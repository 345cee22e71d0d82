using System.Runtime.InteropServices;

namespace ActorVip.Node.Linux;

/// <summary>Owns one file descriptor (a netlink or packet socket) and closes it exactly once.</summary>
public sealed class SocketHandle : SafeHandle
{
    public SocketHandle(int fd) : base(new IntPtr(-1), ownsHandle: true) => SetHandle(new IntPtr(fd));

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The raw descriptor, for the libc calls that take one.</summary>
    public int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => Tmds.Linux.LibC.close((int)handle.ToInt64()) == 0;
}
