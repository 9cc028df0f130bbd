namespace Skiff.Agent.Volumes;

/// <summary>One file of a projected volume: its path relative to the volume, its bytes and its mode.</summary>
/// <param name="Path">Relative, '/'-separated, without "..": checked by <see cref="AtomicWriter"/>.</param>
/// <param name="Mode">Unix permission bits (e.g. 0644 = 420).</param>
public sealed record FileProjection(string Path, byte[] Data, int Mode);
