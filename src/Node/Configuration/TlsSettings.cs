namespace ActorVip.Node.Configuration;

/// <summary>
/// actorvip.tls: the cluster transport's certificates. Certificate is a PEM file (with Key, its PEM private key)
/// or a PFX/PKCS#12 file (with Password); Ca is the PEM file of the cluster CA that every peer's certificate must chain to.
/// </summary>
public sealed record TlsSettings(bool Enabled, string Certificate, string Key, string Password, string Ca)
{
    public static TlsSettings Off { get; } = new(false, "", "", "", "");
}
