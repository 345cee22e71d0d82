using ActorVip.Node.Linux.Netlink;

namespace ActorVip.Node.Linux.GenericNetlink;

/// <summary>Asks the kernel's nlctrl family for the id of a family by name (CTRL_CMD_GETFAMILY).</summary>
public static class GenericNetlinkController
{
    /// <summary>
    /// The family called <paramref name="name"/>, or null when the kernel has none. The kernel tries to load the module
    /// that provides a missing family (alias net-pf-16-proto-16-family-NAME) before it answers.
    /// </summary>
    public static GenericNetlinkFamily? Resolve(NetlinkSocket socket, string name)
    {
        if (socket.Protocol != Nl.Generic) throw new ArgumentException("Family lookup needs a generic netlink socket.", nameof(socket));
        var request = new NetlinkWriter(64);
        request.BeginGenericMessage(Genl.IdCtrl, Genl.CtrlCmdGetFamily, Genl.CtrlVersion, Nl.FRequest | Nl.FAck, socket.NextSeq())
            .AttrString(Genl.CtrlAttrFamilyName, name)
            .EndMessage();
        GenericNetlinkFamily? found = null;
        try
        {
            socket.Execute(request, $"looking up generic netlink family {name}", (in NetlinkMessage reply) =>
            {
                var attrs = reply.GenericAttributes();
                if (attrs.U16(Genl.CtrlAttrFamilyId) is { } id)
                    found = new GenericNetlinkFamily(attrs.String(Genl.CtrlAttrFamilyName) ?? name, id, attrs.U32(Genl.CtrlAttrVersion) ?? 0);
            });
        }
        catch (NetlinkException e) when (e.Errno == Errnos.ENOENT)
        {
            return null;
        }
        return found;
    }
}
