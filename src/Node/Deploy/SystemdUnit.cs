namespace ActorVip.Node.Deploy;

/// <summary>The systemd unit of a node (`actorvip manifest systemd`; shipped as deploy/actorvip.service).</summary>
public static class SystemdUnit
{
    public const string DefaultBinary = "/usr/local/bin/actorvip";
    public const string DefaultConfig = "/etc/actorvip/actorvip.conf";

    public static string Render(string binary = DefaultBinary, string config = DefaultConfig) => $"""
        # ActorVip node: keeps the cluster's virtual IPs alive (written by `actorvip manifest systemd`).
        [Unit]
        Description=ActorVip virtual IP node
        Wants=network-online.target
        After=network-online.target

        [Service]
        # READY=1 once the node joined the cluster or holds a VIP; WATCHDOG=1 every WatchdogSec/2 only while the node agent answers.
        # Not notify-reload (systemd 253 and later): systemd 252 (Debian 12) lacks it.
        Type=notify
        WatchdogSec=5s
        ExecStart={binary} run --config {config}
        # systemctl reload: checks the file first (a bad one fails the reload, exit 2, the node untouched), then SIGHUP, and returns once
        # the node applied it (it reports on its metrics-address); the node says RELOADING=1 and READY=1 meanwhile.
        ExecReload={binary} reload --pid $MAINPID --config {config}
        # Removes what a killed run left (its VIPs, IPVS services, NAT table, fence); finds nothing after a clean stop.
        ExecStopPost={binary} cleanup --config {config}
        Restart=always
        RestartSec=1s
        # Exit 2 is a bad configuration, which restarting does not fix.
        RestartPreventExitStatus=2
        # Joining waits for the other masters; a node that cannot join for this long is restarted.
        TimeoutStartSec=5min
        TimeoutStopSec=10s

        # The Debian package's system user `actorvip` (its group may read a TLS key in /etc/actorvip); where no
        # such user exists, DynamicUser makes one up at start (nothing to create, owns no files; the config file
        # must then be readable by others). Its only privileges are these two capabilities, in every Exec line.
        User=actorvip
        Group=actorvip
        DynamicUser=yes
        AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW
        CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW
        NoNewPrivileges=yes
        RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET
        ProtectHome=yes
        ProtectClock=yes
        ProtectHostname=yes
        ProtectKernelLogs=yes
        ProtectKernelModules=yes
        ProtectControlGroups=yes
        ProtectProc=invisible
        ProcSubset=pid
        PrivateDevices=yes
        RestrictNamespaces=yes
        RestrictRealtime=yes
        LockPersonality=yes
        SystemCallArchitectures=native
        # The usual service calls minus @privileged; @resources stays because CoreCLR does not start without it.
        SystemCallFilter=@system-service
        SystemCallFilter=~@privileged
        SystemCallErrorNumber=EPERM
        UMask=0077
        # Not ProtectKernelTunables: masquerade mode writes net.ipv4.ip_forward and net.ipv4.vs.conntrack.
        # Not MemoryDenyWriteExecute: the .NET JIT maps code that it wrote.
        # Not PrivateNetwork, PrivateUsers or IPAddressDeny: the node configures the host's own interfaces, with
        # capabilities that count only in the host's user namespace, and talks to peers the unit does not know.
        # Notify hooks (actorvip.notify) run as this user inside this sandbox, with its two capabilities: they may exec
        # (@system-service allows it) and write only their private /tmp (DynamicUser implies ProtectSystem=strict); a stop
        # kills what they left running with the unit's control group. They must not touch the VIP address themselves.

        [Install]
        WantedBy=multi-user.target

        """;
}
