namespace ActorVip.Tests.Style;

/// <summary>
/// The .editorconfig's max_line_length = 160 holds for every C# file in src/ and tests/ (bin/ and obj/ skipped).
/// </summary>
public sealed class LineLengthTests
{
    private const int MaxLineLength = 160;

    [Fact]
    public void Every_cs_line_in_src_and_tests_is_within_160_characters()
    {
        var root = RepositoryRoot();
        var tooLong = new List<string>();
        foreach (var top in new[] { "src", "tests" })
        {
            var files = Directory.EnumerateFiles(Path.Combine(root, top), "*.cs", SearchOption.AllDirectories)
                .Where(file => !InBuildOutput(root, file))
                .OrderBy(file => file, StringComparer.Ordinal);
            foreach (var file in files)
            {
                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                    if (lines[i].Length > MaxLineLength)
                        tooLong.Add($"{Path.GetRelativePath(root, file).Replace('\\', '/')}:{i + 1} ({lines[i].Length} characters)");
            }
        }

        Assert.True(
            tooLong.Count == 0,
            $"{tooLong.Count} line(s) over {MaxLineLength} characters:{Environment.NewLine}{string.Join(Environment.NewLine, tooLong)}");
    }

    private static bool InBuildOutput(string root, string file)
    {
        var parts = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return parts.Any(part => part is "bin" or "obj");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ActorVip.sln"))) return dir.FullName;
        throw new InvalidOperationException("ActorVip.sln not found above the test binaries.");
    }
}
