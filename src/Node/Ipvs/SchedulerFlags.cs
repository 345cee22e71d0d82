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

/// <summary>ipvsadm's names of the scheduler flags (its -b option), read by the rule format and the configuration alike.</summary>
public static class SchedulerFlagNames
{
    public static readonly IReadOnlyList<string> All = ["flag-1", "flag-2", "flag-3", "sh-fallback", "sh-port", "mh-fallback", "mh-port"];

    public static bool TryParse(string name, out SchedulerFlags flag)
    {
        flag = name switch
        {
            "flag-1" or "sh-fallback" or "mh-fallback" => SchedulerFlags.Flag1,
            "flag-2" or "sh-port" or "mh-port" => SchedulerFlags.Flag2,
            "flag-3" => SchedulerFlags.Flag3,
            _ => SchedulerFlags.None,
        };
        return flag != SchedulerFlags.None;
    }
}
