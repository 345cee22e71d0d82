namespace ActorVip.Node.Drivers;

/// <summary>Looks up network interfaces.</summary>
public interface ILinkDriver
{
    /// <summary>The interface called <paramref name="name"/>, or null when there is none.</summary>
    InterfaceInfo? Find(string name);
}
