namespace ActorVip.Ownership;

/// <summary>A <see cref="VipSpec"/> as a node declares it on the wire (<see cref="DeclaredVip"/>), and back.</summary>
public static class VipSpecs
{
    public static DeclaredVip ToDeclared(VipSpec spec) => new(spec.Vip, spec.Preference, spec.Preempt, spec.PreemptDelay, spec.MoveWhenNoneHealthy);

    public static VipSpec FromDeclared(DeclaredVip vip) =>
        new(vip.Vip, vip.Preference, vip.Preempt, vip.MoveWhenNoneHealthy) { PreemptDelay = vip.PreemptDelay };

    public static VipDeclaration Declaration(NodeId node, IReadOnlyList<VipSpec> specs) => new(node, specs.Select(ToDeclared).ToList());
}
