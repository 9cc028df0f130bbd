using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Skiff.E2E;

/// <summary>
/// The shipped binary gives back the pages only its start-up reads (Native AOT's packed type data, the loader's
/// relocations) and they stay out of the process: read from the server's own page table, not from its log.
/// </summary>
public sealed partial class StartupPagesTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    // A fault next to a released range maps the cached pages of its aligned 64 KiB window (the kernel's default
    // fault_around_bytes), so up to that many pages at each end may come back without anything reading the range itself.
    private static readonly int PageSize = Environment.SystemPageSize;
    private static readonly int FaultAroundPages = 64 * 1024 / PageSize;

    [Fact]
    public async Task StartUpOnlyPagesAreReleasedAndStayOut()
    {
        var line = ReleasedLine().Match(f.Server.Log);
        Assert.True(line.Success, $"no 'Released ... start-up-only pages' line (the e2e tests need the Native AOT binary, SKIFF_BIN):\n{f.Server.Log}");
        var ranges = RangePattern().Matches(line.Groups[1].Value)
            .Select(m => (What: m.Groups[1].Value.Trim(), Start: ulong.Parse(m.Groups[2].Value, NumberStyles.HexNumber), End: ulong.Parse(m.Groups[3].Value, NumberStyles.HexNumber)))
            .ToList();
        var dehydrated = Assert.Single(ranges, r => r.What == "dehydrated type data");
        Assert.True(dehydrated.End - dehydrated.Start >= 1 << 20, $"the dehydrated data is only {dehydrated.End - dehydrated.Start} bytes");

        // Work the server a little first, so anything that read those pages again would have.
        await Kubectl.OkAsync(f.Server, "get", "namespaces");
        await Kubectl.OkAsync(f.Server, "create", "configmap", "startup-pages", "--from-literal=a=b");

        var pid = f.Server.ProcessId;
        var exe = File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: false)!.FullName;
        var mappings = File.ReadAllLines($"/proc/{pid}/maps").Select(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries)).ToList();
        await using var pagemap = new FileStream($"/proc/{pid}/pagemap", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        foreach (var (what, start, end) in ranges)
        {
            var mapping = mappings.FirstOrDefault(m =>
            {
                var bounds = m[0].Split('-');
                return ulong.Parse(bounds[0], NumberStyles.HexNumber) <= start && end <= ulong.Parse(bounds[1], NumberStyles.HexNumber);
            });
            Assert.True(mapping is not null, $"{what} 0x{start:x}-0x{end:x} is in no mapping");
            Assert.Equal("r--p", mapping[1]);
            Assert.Equal(exe, mapping.Length > 5 ? mapping[5].Trim() : "");

            var pages = (int)((end - start) / (ulong)PageSize);
            var entries = new byte[pages * 8];
            pagemap.Position = (long)(start / (ulong)PageSize * 8);
            await pagemap.ReadExactlyAsync(entries);
            var present = Enumerable.Range(0, pages).Count(i => (BinaryPrimitives.ReadUInt64LittleEndian(entries.AsSpan(i * 8)) >> 63) != 0);
            Assert.True(present <= 2 * FaultAroundPages, $"{what}: {present} of {pages} released pages are mapped again");
        }
    }

    [GeneratedRegex(@"Released \d+ KiB of the binary's start-up-only pages: (.*)")]
    private static partial Regex ReleasedLine();

    [GeneratedRegex(@"([^,]+?) 0x([0-9a-f]+)-0x([0-9a-f]+)")]
    private static partial Regex RangePattern();
}
