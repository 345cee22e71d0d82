namespace ActorVip.Node.Configuration;

/// <summary>IPVS forwarding methods; the values are IP_VS_CONN_F_* of include/uapi/linux/ip_vs.h.</summary>
public enum ForwardingMethod
{
    Masquerade = 0,
    Local = 1,
    Tunnel = 2,
    DirectRoute = 3,
    Bypass = 4,
}

public static class ForwardingMethods
{
    /// <summary>The kube-vip lb_fwdmethod words.</summary>
    public static readonly IReadOnlyList<string> Names = ["local", "masquerade", "tunnel", "directroute", "bypass"];

    public static bool TryParse(string text, out ForwardingMethod method)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "local": method = ForwardingMethod.Local; return true;
            case "masquerade" or "nat": method = ForwardingMethod.Masquerade; return true;
            case "tunnel" or "ipip": method = ForwardingMethod.Tunnel; return true;
            case "directroute" or "dr" or "gatewaying": method = ForwardingMethod.DirectRoute; return true;
            case "bypass": method = ForwardingMethod.Bypass; return true;
            default: method = default; return false;
        }
    }

    public static string Name(this ForwardingMethod method) => method switch
    {
        ForwardingMethod.Local => "local",
        ForwardingMethod.Masquerade => "masquerade",
        ForwardingMethod.Tunnel => "tunnel",
        ForwardingMethod.DirectRoute => "directroute",
        ForwardingMethod.Bypass => "bypass",
        _ => method.ToString(),
    };
}
