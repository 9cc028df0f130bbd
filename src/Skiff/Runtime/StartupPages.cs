using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Skiff.Runtime;

/// <summary>
/// Gives back, once at start, the pages of the skiff binary that only its start-up reads.
/// <list type="bullet">
/// <item>Native AOT keeps its type data packed ("dehydrated", ~3.7 MiB of .rodata) and unpacks it into the writable
/// .hydrated section before Main; the packed copy is never read again.</item>
/// <item>The dynamic loader reads the relocations in .rela.dyn (~0.2 MiB) once, before anything else runs.</item>
/// </list>
/// Those pages are clean copies of the file, but they stay mapped, and counted in the process's resident memory, for
/// its whole life: about a tenth of an idle agent's. <c>madvise(MADV_DONTNEED)</c> unmaps them. The page cache keeps them
/// until the kernel wants the memory, and a later read would fault the same bytes back in from the file, so this can
/// cost memory accounting only, never behaviour. Ranges are rounded inwards to whole pages and must lie in a read-only
/// segment of a binary without text relocations: only then is a page certain to equal the file.
/// </summary>
public static class StartupPages
{
    public readonly record struct Range(string What, ulong Start, ulong End)
    {
        public ulong Length => End - Start;
        public override string ToString() => $"{What} 0x{Start:x}-0x{End:x}";
    }

    /// <summary>What <see cref="Release"/> gave back, with the run-time addresses.</summary>
    public static IReadOnlyList<Range> Released { get; private set; } = [];

    /// <summary>Why nothing was given back, when nothing was.</summary>
    public static string? NotReleasedBecause { get; private set; }

    // The Native AOT module header (ModuleHeaders.cs in dotnet/runtime): "RTR\0", then a table of sections, each a
    // 32-bit id, 32-bit flags and start and end pointers. The dehydrated data is section 207; flag 1 says the end
    // pointer is set.
    private const uint ReadyToRunSignature = 0x00525452;
    private const int DehydratedDataSection = 207;
    private const int HasEndPointer = 1;
    private const int MadvDontNeed = 4;
    private const nuint AtPhdr = 3;

    /// <summary>Call first thing in Main. Never throws: what went wrong is in <see cref="NotReleasedBecause"/>.</summary>
    public static void Release()
    {
        try
        {
            var (released, reason) = ReleaseCore();
            Released = released;
            NotReleasedBecause = reason;
        }
        catch (Exception e)
        {
            NotReleasedBecause = e.Message;
        }
    }

    /// <summary>One line for the process's log: how much went back, and where.</summary>
    public static void Log(ILogger log)
    {
        if (Released.Count > 0)
            log.LogInformation("Released {KiB} KiB of the binary's start-up-only pages: {Ranges}",
                Released.Sum(r => (long)r.Length) / 1024, string.Join(", ", Released));
        else
            log.LogDebug("Start-up-only pages not released: {Reason}", NotReleasedBecause);
    }

    private static (IReadOnlyList<Range>, string?) ReleaseCore()
    {
        if (!OperatingSystem.IsLinux()) return ([], "not Linux");
        if (RuntimeFeature.IsDynamicCodeSupported) return ([], "not a Native AOT binary");

        var image = ElfImage.Read("/proc/self/exe");
        if (image.HasTextRelocations) return ([], "the binary has text relocations");
        var headers = image.Segments.Where(s => s.Type == ElfImage.Segment.ProgramHeaders).ToList();
        if (headers.Count != 1) return ([], "the binary has no PT_PHDR segment");
        var loadBase = (ulong)getauxval(AtPhdr) - headers[0].Address;

        var candidates = new List<Range>();
        if (image.FindSection("__modules") is not { } modules) return ([], "the binary has no __modules section");
        for (ulong at = 0; at + 8 <= modules.Size; at += 8)
        {
            var header = Marshal.ReadIntPtr((nint)(loadBase + modules.Address + at));
            if (FindDehydratedData(header) is { } range) candidates.Add(range);
        }
        if (candidates.Count == 0) return ([], "no dehydrated data in the module headers");
        if (image.FindSection(".rela.dyn") is { } rela)
            candidates.Add(new Range(".rela.dyn", loadBase + rela.Address, loadBase + rela.Address + rela.Size));

        var page = (ulong)Environment.SystemPageSize;
        var released = new List<Range>();
        var problems = new List<string>();
        foreach (var c in candidates)
        {
            var start = (c.Start + page - 1) / page * page;
            var end = c.End / page * page;
            if (end <= start) continue;
            var fileStart = c.Start - loadBase;
            if (!image.Segments.Any(s => s.Type == ElfImage.Segment.Load && (s.Flags & ElfImage.Segment.FlagWrite) == 0 && s.Contains(fileStart, c.Length)))
            {
                problems.Add($"{c.What} is not in a read-only segment");
                continue;
            }
            if (madvise((nint)start, (nuint)(end - start), MadvDontNeed) != 0)
            {
                problems.Add($"madvise on {c.What}: errno {Marshal.GetLastPInvokeError()}");
                continue;
            }
            released.Add(c with { Start = start, End = end });
        }
        return (released, released.Count > 0 ? null : string.Join("; ", problems));
    }

    private static Range? FindDehydratedData(nint header)
    {
        if (header == 0 || (uint)Marshal.ReadInt32(header) != ReadyToRunSignature) return null;
        int count = (ushort)Marshal.ReadInt16(header, 12), entrySize = Marshal.ReadByte(header, 14);
        if (entrySize < 24) return null;
        for (var i = 0; i < count; i++)
        {
            var row = header + 16 + i * entrySize;
            if (Marshal.ReadInt32(row) != DehydratedDataSection || (Marshal.ReadInt32(row, 4) & HasEndPointer) == 0) continue;
            var start = (ulong)Marshal.ReadIntPtr(row, 8);
            var end = (ulong)Marshal.ReadIntPtr(row, 16);
            return end > start ? new Range("dehydrated type data", start, end) : null;
        }
        return null;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);

    [DllImport("libc")]
    private static extern nuint getauxval(nuint type);
}
