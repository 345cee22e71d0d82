using ActorVip.Node.Drivers;

namespace ActorVip.Tests.Actors;

/// <summary>
/// A link watcher driven by the test: each watched interface first reports the state given here (gone when not given), then
/// whatever the test reports with <see cref="Report"/>, on the test's thread.
/// </summary>
public sealed class HandLinkWatcher(params InterfaceInfo[] links) : ILinkWatcher
{
    private readonly Dictionary<string, Action<LinkStatus>> _watches = new();

    /// <summary>The interfaces watched, in the order the agent started watching them.</summary>
    public List<string> Watched { get; } = new();

    public IDisposable Watch(string name, Action<LinkStatus> onChange)
    {
        _watches[name] = onChange;
        Watched.Add(name);
        onChange(new LinkStatus(name, links.FirstOrDefault(l => l.Name == name)));
        return new Nothing();
    }

    /// <summary>As the kernel's notification of a change to the interface <paramref name="status"/> names.</summary>
    public void Report(LinkStatus status) => _watches[status.Name](status);

    private sealed class Nothing : IDisposable
    {
        public void Dispose() { }
    }
}

/// <summary>A host without interfaces to look up (the agent gets its interfaces at start and from the watcher).</summary>
public sealed class NoLinks : ILinkDriver
{
    public InterfaceInfo? Find(string name) => null;
}
