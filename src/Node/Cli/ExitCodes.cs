namespace ActorVip.Node.Cli;

public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The host lacks something, or the kernel refused.</summary>
    public const int Failure = 1;
    /// <summary>Bad input: a flag, a config value, a file.</summary>
    public const int BadInput = 2;
}
