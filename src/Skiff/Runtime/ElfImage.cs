using System.Buffers.Binary;

namespace Skiff.Runtime;

/// <summary>
/// The headers of a 64-bit little-endian ELF file that <see cref="StartupPages"/> needs: its sections (name, address,
/// size, flags), its loadable segments (address range, flags) and whether it has text relocations. Reads only the
/// headers, never the sections' contents.
/// </summary>
public sealed class ElfImage
{
    public readonly record struct Section(string Name, uint Type, ulong Flags, ulong Address, ulong Size);

    public readonly record struct Segment(uint Type, uint Flags, ulong Address, ulong MemorySize)
    {
        public const uint Load = 1, Dynamic = 2, ProgramHeaders = 6;
        public const uint FlagWrite = 0x2;
        public bool Contains(ulong address, ulong length) => address >= Address && address + length <= Address + MemorySize;
    }

    private ElfImage(IReadOnlyList<Section> sections, IReadOnlyList<Segment> segments, bool textRelocations)
    {
        Sections = sections;
        Segments = segments;
        HasTextRelocations = textRelocations;
    }

    public IReadOnlyList<Section> Sections { get; }
    public IReadOnlyList<Segment> Segments { get; }

    /// <summary>DT_TEXTREL or DF_TEXTREL: the loader writes into read-only segments, so their pages are not clean copies of the file.</summary>
    public bool HasTextRelocations { get; }

    public Section? FindSection(string name)
    {
        foreach (var s in Sections) if (s.Name == name) return s;
        return null;
    }

    /// <summary>Reads the headers of <paramref name="path"/>; a file that is not a 64-bit little-endian ELF is an error.</summary>
    public static ElfImage Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        var header = ReadAt(file, 0, 64);
        if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
            throw new InvalidDataException($"{path} is not an ELF file");
        if (header[4] != 2 || header[5] != 1) throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file");

        var phOffset = U64(header, 0x20);
        var shOffset = U64(header, 0x28);
        int phSize = U16(header, 0x36), phCount = U16(header, 0x38);
        int shSize = U16(header, 0x3a), shCount = U16(header, 0x3c), shNames = U16(header, 0x3e);
        if (phSize < 56 || shSize < 64 || shNames >= shCount) throw new InvalidDataException($"{path} has malformed ELF headers");

        var segments = new List<Segment>(phCount);
        var programHeaders = ReadAt(file, phOffset, phSize * phCount);
        ulong dynamicOffset = 0, dynamicSize = 0;
        for (var i = 0; i < phCount; i++)
        {
            var p = programHeaders.AsSpan(i * phSize);
            var type = U32(p, 0);
            segments.Add(new Segment(type, U32(p, 4), U64(p, 16), U64(p, 40)));
            if (type == Segment.Dynamic) (dynamicOffset, dynamicSize) = (U64(p, 8), U64(p, 32));
        }

        var raw = ReadAt(file, shOffset, shSize * shCount);
        var names = raw.AsSpan(shNames * shSize);
        var stringTable = ReadAt(file, U64(names, 24), checked((int)U64(names, 32)));
        var sections = new List<Section>(shCount);
        for (var i = 0; i < shCount; i++)
        {
            var s = raw.AsSpan(i * shSize);
            sections.Add(new Section(NameAt(stringTable, U32(s, 0)), U32(s, 4), U64(s, 8), U64(s, 16), U64(s, 32)));
        }

        var textRelocations = false;
        if (dynamicSize > 0)
        {
            var dynamic = ReadAt(file, dynamicOffset, checked((int)dynamicSize));
            for (var o = 0; o + 16 <= dynamic.Length; o += 16)
            {
                var tag = (long)U64(dynamic, o);
                var value = U64(dynamic, o + 8);
                if (tag == 0) break; // DT_NULL
                if (tag == 22 || (tag == 30 && (value & 0x4) != 0)) textRelocations = true; // DT_TEXTREL, DT_FLAGS & DF_TEXTREL
            }
        }
        return new ElfImage(sections, segments, textRelocations);
    }

    private static byte[] ReadAt(FileStream file, ulong offset, int length)
    {
        var buffer = new byte[length];
        file.Position = checked((long)offset);
        file.ReadExactly(buffer);
        return buffer;
    }

    private static string NameAt(byte[] table, uint offset)
    {
        if (offset >= table.Length) return "";
        var end = Array.IndexOf(table, (byte)0, (int)offset);
        return System.Text.Encoding.ASCII.GetString(table, (int)offset, (end < 0 ? table.Length : end) - (int)offset);
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}
