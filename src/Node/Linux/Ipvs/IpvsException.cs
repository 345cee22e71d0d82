using ActorVip.Node.Ipvs;
using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.Ipvs;

/// <summary>An IPVS request the kernel refused, told as one sentence naming the cause and the fix.</summary>
public sealed class IpvsException : Exception
{
    public const string NoIpvs = "the kernel has no IPVS: load it with modprobe ip_vs";

    public IpvsException(string message, int errno = 0, IpvsOperation? operation = null, Exception? inner = null)
        : base(message, inner)
    {
        Errno = errno;
        Operation = operation;
    }

    /// <summary>Positive errno, 0 when the failure was not an errno (e.g. no IPVS family).</summary>
    public int Errno { get; }

    /// <summary>The change that failed, when a change failed.</summary>
    public IpvsOperation? Operation { get; }

    /// <summary>Turns a refused request into a sentence; <paramref name="what"/> says what was asked ("listing services").</summary>
    public static IpvsException From(NetlinkException e, string what, IpvsOperation? operation = null)
    {
        var kernel = e.KernelMessage is { Length: > 0 } k ? $" (kernel: {k})" : "";
        var sentence = (e.Errno, operation) switch
        {
            (Errnos.EPERM or Errnos.EACCES, _) =>
                $"{what} was refused (EPERM): IPVS needs CAP_NET_ADMIN, so run as root or grant that capability",
            (Errnos.ENOPROTOOPT or Errnos.EAFNOSUPPORT or Errnos.EPROTONOSUPPORT, _) => NoIpvs,
            (Errnos.ENOENT, AddService add) => UnknownScheduler(add.Settings),
            (Errnos.ENOENT, EditService edit) => UnknownScheduler(edit.Settings),
            (Errnos.EEXIST, AddService add) => $"service {add.Service} already exists",
            (Errnos.EEXIST, AddDestination add) => $"destination {add.Destination} already exists in service {add.Service}",
            (Errnos.ESRCH, { } op) => $"no such service {op.Service}",
            (Errnos.ENOENT, EditDestination edit) => $"no such destination {edit.Destination} in service {edit.Service}",
            (Errnos.ENOENT, DeleteDestination delete) => $"no such destination {delete.Destination} in service {delete.Service}",
            (Errnos.EINVAL, _) => $"{what} was refused as invalid (EINVAL){kernel}",
            _ => $"{what} failed: {Errnos.Explain(e.Errno)}{kernel}",
        };
        return new IpvsException(sentence, e.Errno, operation, e);
    }

    private static string UnknownScheduler(IpvsServiceSettings s) => s.PersistenceEngine is { } pe
        ? $"unknown scheduler {s.Scheduler} or persistence engine {pe}: the kernel has no module ip_vs_{s.Scheduler} or ip_vs_pe_{pe}"
        : $"unknown scheduler {s.Scheduler}: the kernel has no module ip_vs_{s.Scheduler} (known: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh)";
}
