using System.Runtime.InteropServices;

namespace Skiff.Agent.Volumes;

/// <summary>
/// The few libc calls volumes need that .NET does not offer: rename over a symlink, mount, umount, realpath, lchown;
/// and statvfs, for the eviction signals.
/// </summary>
/// <summary>A filesystem's size and what is left of it: bytes (available to unprivileged users, as df) and inodes.</summary>
public sealed record FilesystemStats(long CapacityBytes, long AvailableBytes, long Inodes, long InodesFree);

internal static partial class Posix
{
    private const ulong MsNoSuid = 2, MsNoDev = 4;
    private const int MntDetach = 2;

    /// <summary>rename(2): replaces <paramref name="to"/> atomically, even when it is a symlink to a directory.</summary>
    public static void Rename(string from, string to)
    {
        if (NativeRename(from, to) != 0) throw Error("rename", from);
    }

    public static void MountTmpfs(string target, long? sizeBytes)
    {
        var data = sizeBytes is { } s ? $"size={s}" : null;
        if (NativeMount("tmpfs", target, "tmpfs", MsNoSuid | MsNoDev, data) != 0) throw Error("mount tmpfs on", target);
    }

    /// <summary>Lazily detaches the mount at <paramref name="target"/>; a path that is not mounted is fine.</summary>
    public static void Unmount(string target)
    {
        if (NativeUmount2(target, MntDetach) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is 22 or 2) return; // EINVAL: not a mount point; ENOENT: gone
            throw new IOException($"umount {target}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>The path with every symlink resolved, or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        var p = NativeRealpath(path, IntPtr.Zero);
        if (p == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(p); }
        finally { Free(p); }
    }

    /// <summary>Sets the group of <paramref name="path"/> without following a symlink.</summary>
    public static void ChangeGroup(string path, long gid)
    {
        if (NativeLchown(path, -1, (int)gid) != 0) throw Error("lchown", path);
    }

    /// <summary>The mount points at or below <paramref name="dir"/>, deepest first (from /proc/self/mountinfo).</summary>
    public static IReadOnlyList<string> MountsUnder(string dir)
    {
        var prefix = dir.TrimEnd('/');
        var result = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length < 5) continue;
            var mountPoint = fields[4].Replace("\\040", " ");
            if (mountPoint == prefix || mountPoint.StartsWith(prefix + "/", StringComparison.Ordinal)) result.Add(mountPoint);
        }
        return result.OrderByDescending(m => m.Length).ToList();
    }

    /// <summary>The S_IFMT bits of stat(2) for <paramref name="path"/> (following links), or null when it does not exist.</summary>
    public static int? FileType(string path)
    {
        // struct stat differs by architecture; st_mode sits after dev, ino and nlink on x86-64, after dev and ino on arm64.
        var offset = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 16 : 24;
        var buffer = new byte[256];
        if (NativeStat(path, buffer) != 0) return null;
        return (int)(BitConverter.ToUInt32(buffer, offset) & 0xF000);
    }

    /// <summary>The inode number of <paramref name="path"/> (st_ino follows st_dev on every 64-bit Linux), or null when it does not exist.</summary>
    public static long? Inode(string path)
    {
        var buffer = new byte[256];
        if (NativeStat(path, buffer) != 0) return null;
        return BitConverter.ToInt64(buffer, 8);
    }

    /// <summary>statvfs(3) of the filesystem holding <paramref name="path"/>, in bytes and inodes; null when it cannot be read.</summary>
    public static FilesystemStats? StatVfs(string path)
    {
        var buffer = new byte[112]; // struct statvfs on 64-bit glibc: eleven 64-bit fields, then six ints of padding
        if (NativeStatVfs(path, buffer) != 0) return null;
        ulong Field(int i) => BitConverter.ToUInt64(buffer, i * 8);
        var fragment = Field(1) == 0 ? Field(0) : Field(1);
        return new FilesystemStats((long)(Field(2) * fragment), (long)(Field(4) * fragment), (long)Field(5), (long)Field(6));
    }

    private static IOException Error(string what, string path) =>
        new($"{what} {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeRename(string from, string to);

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeMount(string source, string target, string fsType, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeUmount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial IntPtr NativeRealpath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeLchown(string path, int uid, int gid);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeStat(string path, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "statvfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int NativeStatVfs(string path, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr p);
}
