namespace ActorVip.Node.Ipvs;

/// <summary>Scheduler-specific service flags (IP_VS_SVC_F_SCHED1..3); sh and mh read them as fallback and port.</summary>
[Flags]
public enum SchedulerFlags : uint
{
    None = 0,
    Flag1 = 0x8,
    Flag2 = 0x10,
    Flag3 = 0x20,
}
