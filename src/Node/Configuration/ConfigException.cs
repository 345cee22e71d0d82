namespace ActorVip.Node.Configuration;

/// <summary>Bad configuration: the message is the one line a user sees (exit code 2).</summary>
public sealed class ConfigException(string message) : Exception(message);
