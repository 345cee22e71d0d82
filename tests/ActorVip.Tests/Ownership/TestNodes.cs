using ActorVip.Messages.Ownership;

namespace ActorVip.Tests.Ownership;

/// <summary>The nodes and the VIP the ownership tables talk about.</summary>
internal static class TestNodes
{
    public const string Vip = "192.0.2.100";
    public static readonly NodeId N1 = new("akka.tcp://actorvip@192.0.2.11:4053");
    public static readonly NodeId N2 = new("akka.tcp://actorvip@192.0.2.12:4053");
    public static readonly NodeId N3 = new("akka.tcp://actorvip@192.0.2.13:4053");
    public static readonly NodeId N4 = new("akka.tcp://actorvip@192.0.2.14:4053");
    public static readonly NodeId N5 = new("akka.tcp://actorvip@192.0.2.15:4053");
}
