using System.Text;

namespace Skiff.Agent.Logs;

/// <summary>
/// Writes a container's CRI log file as plain text the way the kubelet serves it: entries since a time,
/// the last N lines, optionally prefixed with their timestamps, at most N bytes, and, when following,
/// new entries as they are written until the container stops (or the caller goes away). A rotated file
/// (shrunk or replaced) is reopened from its start. Stateless; one call per request.
/// </summary>
public sealed class ContainerLogWriter(TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>How often a followed file is checked for new data.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <param name="isRunning">Asked when a followed file has no new data: false ends the stream.</param>
    public async Task WriteAsync(string path, LogOptions options, Stream output, Func<CancellationToken, Task<bool>> isRunning, CancellationToken ct)
    {
        var since = options.Since(_clock.GetUtcNow());
        var budget = options.LimitBytes ?? long.MaxValue;
        var file = OpenShared(path);
        var inode = Volumes.Posix.Inode(path);
        try
        {
            if (options.TailLines is { } tail) file.Position = TailStart(file, tail);
            var pending = new MemoryStream();
            var buffer = new byte[64 * 1024];
            while (budget > 0)
            {
                var n = await file.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (n > 0)
                {
                    pending.Write(buffer, 0, n);
                    budget = await WriteCompleteLinesAsync(pending, since, options.Timestamps, output, budget, ct).ConfigureAwait(false);
                    continue;
                }
                if (!options.Follow) break;
                await output.FlushAsync(ct).ConfigureAwait(false);
                if (Rotated(file, path, inode))
                {
                    await file.DisposeAsync().ConfigureAwait(false);
                    file = OpenShared(path);
                    inode = Volumes.Posix.Inode(path);
                    continue;
                }
                if (!await isRunning(ct).ConfigureAwait(false))
                {
                    // One last look: the container may have written its last words just before it stopped.
                    if (file.Length > file.Position) continue;
                    break;
                }
                await Task.Delay(PollInterval, _clock, ct).ConfigureAwait(false);
            }
            await output.FlushAsync(ct).ConfigureAwait(false);
        }
        finally { await file.DisposeAsync().ConfigureAwait(false); }
    }

    /// <summary>Writes the complete lines in <paramref name="pending"/>, keeps the incomplete rest; returns the bytes still allowed.</summary>
    private static async Task<long> WriteCompleteLinesAsync(MemoryStream pending, DateTimeOffset? since, bool timestamps, Stream output,
        long budget, CancellationToken ct)
    {
        var data = pending.GetBuffer().AsMemory(0, (int)pending.Length);
        var consumed = 0;
        var rendered = new MemoryStream();
        while (true)
        {
            var nl = data.Span[consumed..].IndexOf((byte)'\n');
            if (nl < 0) break;
            var line = data.Slice(consumed, nl);
            consumed += nl + 1;
            if (!CriLogLine.TryParse(line, out var entry)) continue;
            if (since is { } s && entry.Time < s) continue;
            Render(entry, timestamps, rendered);
        }
        var rest = data[consumed..].ToArray();
        pending.SetLength(0);
        pending.Write(rest);

        var bytes = rendered.GetBuffer().AsMemory(0, (int)rendered.Length);
        if (bytes.Length > budget) bytes = bytes[..(int)budget];
        if (bytes.Length > 0) await output.WriteAsync(bytes, ct).ConfigureAwait(false);
        return budget - bytes.Length;
    }

    /// <summary>One entry as served: "[timestamp ]content" and a newline unless the entry is a partial line.</summary>
    public static void Render(CriLogLine entry, bool timestamps, Stream into)
    {
        if (timestamps)
        {
            into.Write(Encoding.ASCII.GetBytes(entry.Timestamp));
            into.WriteByte((byte)' ');
        }
        into.Write(entry.Content.Span);
        if (!entry.Partial) into.WriteByte((byte)'\n');
    }

    /// <summary>The offset of the start of the last <paramref name="lines"/> lines of the file (0 for "all of them").</summary>
    public static long TailStart(Stream file, long lines)
    {
        var length = file.Length;
        if (lines == 0) return length;
        const int block = 8192;
        var buffer = new byte[block];
        long position = length;
        long newlines = 0;
        // A final newline ends the last line; it does not start another.
        var skipFinal = true;
        while (position > 0)
        {
            var size = (int)Math.Min(block, position);
            position -= size;
            file.Position = position;
            file.ReadExactly(buffer, 0, size);
            for (var i = size - 1; i >= 0; i--)
            {
                if (buffer[i] != (byte)'\n') { skipFinal = false; continue; }
                if (skipFinal) { skipFinal = false; continue; }
                if (++newlines == lines) return position + i + 1;
            }
        }
        return 0;
    }

    private static FileStream OpenShared(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);

    /// <summary>The runtime rotated the log: the path is now another file, or the file was truncated.</summary>
    private static bool Rotated(FileStream file, string path, long? inode)
    {
        var now = Volumes.Posix.Inode(path);
        if (now is null) return false; // between rename and reopen: keep reading the old file
        return now != inode || new FileInfo(path).Length < file.Position;
    }
}
