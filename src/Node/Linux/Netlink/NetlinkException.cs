namespace ActorVip.Node.Linux.Netlink;

/// <summary>A request the kernel refused; <see cref="Errno"/> is positive (e.g. 17 for EEXIST).</summary>
public sealed class NetlinkException : Exception
{
    public NetlinkException(int errno, string operation, string? kernelMessage = null)
        : base(Describe(errno, operation, kernelMessage))
    {
        Errno = errno;
        Operation = operation;
        KernelMessage = kernelMessage;
    }

    public int Errno { get; }
    public string Operation { get; }
    public string? KernelMessage { get; }

    /// <summary>Sequence number of the refused message when it was one of a batch, so the caller can name it.</summary>
    public uint? Seq { get; init; }

    public bool IsExists => Errno == Errnos.EEXIST;
    public bool IsNotFound => Errno is Errnos.ENOENT or Errnos.ESRCH or Errnos.EADDRNOTAVAIL or Errnos.ENODEV;

    private static string Describe(int errno, string operation, string? kernelMessage)
    {
        var cause = Errnos.Explain(errno);
        return kernelMessage is { Length: > 0 }
            ? $"{operation} failed: {cause} (kernel: {kernelMessage})"
            : $"{operation} failed: {cause}";
    }
}

/// <summary>The errno values that drivers meet, with a sentence a user can act on.</summary>
public static class Errnos
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int ERANGE = 34;
    public const int EMSGSIZE = 90;
    public const int ENOPROTOOPT = 92;
    public const int EPROTONOSUPPORT = 93;
    public const int EOPNOTSUPP = 95;
    public const int EAFNOSUPPORT = 97;
    public const int EADDRNOTAVAIL = 99;
    public const int ENOBUFS = 105;

    public static string Explain(int errno) => errno switch
    {
        EPERM => "operation not permitted (EPERM): run as root or grant CAP_NET_ADMIN and CAP_NET_RAW",
        EACCES => "permission denied (EACCES): run as root or grant CAP_NET_ADMIN and CAP_NET_RAW",
        ENOENT => "no such object (ENOENT)",
        ESRCH => "no such object (ESRCH)",
        EEXIST => "it already exists (EEXIST)",
        ENODEV => "no such network device (ENODEV)",
        EINVAL => "the kernel rejected an argument (EINVAL)",
        EBUSY => "the object is busy (EBUSY)",
        ENOSPC => "no space left in the kernel table (ENOSPC)",
        ENOMEM => "the kernel is out of memory (ENOMEM)",
        ENOBUFS => "the kernel is out of buffer space (ENOBUFS)",
        EMSGSIZE => "the message is too large for the kernel (EMSGSIZE)",
        ENOPROTOOPT => "the kernel lacks this feature (ENOPROTOOPT): load its module (for IPVS: modprobe ip_vs)",
        EPROTONOSUPPORT => "the kernel lacks this protocol (EPROTONOSUPPORT): load its module",
        EOPNOTSUPP => "the kernel does not support this operation (EOPNOTSUPP)",
        EAFNOSUPPORT => "the kernel lacks this address family (EAFNOSUPPORT): load its module",
        EADDRNOTAVAIL => "the address is not there (EADDRNOTAVAIL)",
        _ => $"errno {errno} ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})",
    };
}
