namespace ActorVip.Tests;

/// <summary>Files of the repository (docs, deploy) that tests keep in step with the code.</summary>
public static class RepositoryFiles
{
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root(), .. parts]);

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ActorVip.sln"))) return dir.FullName;
        throw new InvalidOperationException("ActorVip.sln not found above the test binaries.");
    }
}
