using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace ActorVip.Node.Text;

/// <summary>
/// Reads a text file a user named, refusing what would never end or fill the memory: a directory, a device or a FIFO
/// (/dev/zero, /dev/stdin of a terminal), or a file larger than the caller's bound.
/// </summary>
public static class BoundedFile
{
    /// <summary>The text of <paramref name="path"/>; an IOException whose message is one sentence (without the path) otherwise.</summary>
    public static string ReadText(string path, long maxBytes)
    {
        var kind = Kind(path);
        if (kind != "a regular file") throw new IOException($"it is {kind}, not a regular file");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        return Read(stream, maxBytes);
    }

    /// <summary>At most <paramref name="maxBytes"/> of <paramref name="stream"/> as UTF-8; an IOException when there is more.</summary>
    public static string Read(Stream stream, long maxBytes)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            var read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length));
            if (read == 0) break;
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes) throw new IOException($"it is larger than {Size(maxBytes)}");
        }
        return new UTF8Encoding(false, throwOnInvalidBytes: false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";

    private static unsafe string Kind(string path)
    {
        var name = Encoding.UTF8.GetBytes(path + "\0");
        stat st;
        fixed (byte* p = name)
        {
            if (stat(p, &st) != 0)
            {
                var error = errno;
                throw new IOException(error == ENOENT ? "no such file"
                    : error == EACCES ? "permission denied"
                    : error == ENOTDIR ? "a part of the path is not a directory"
                    : $"cannot read it (errno {error})");
            }
        }
        return (st.st_mode & S_IFMT) switch
        {
            var m when m == S_IFREG => "a regular file",
            var m when m == S_IFDIR => "a directory",
            var m when m == S_IFCHR => "a character device",
            var m when m == S_IFBLK => "a block device",
            var m when m == S_IFIFO => "a pipe (FIFO)",
            var m when m == S_IFSOCK => "a socket",
            _ => "not a regular file",
        };
    }
}
