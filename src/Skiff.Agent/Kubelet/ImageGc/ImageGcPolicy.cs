using System.Globalization;

namespace Skiff.Agent.Kubelet.ImageGc;

/// <summary>
/// When the kubelet removes unused images (upstream's ImageGCPolicy): once the image filesystem is
/// <see cref="HighThresholdPercent"/> full, unused images go, least recently used first, until it is down to
/// <see cref="LowThresholdPercent"/>; an image first seen less than <see cref="MinAge"/> ago stays (it may have just
/// been pulled for a pod about to start). A high threshold of 100 turns image garbage collection off. Immutable.
/// </summary>
public sealed record ImageGcPolicy
{
    /// <summary>Upstream's defaults: 85 %, 80 %, 2 minutes.</summary>
    public static readonly ImageGcPolicy Default = new();

    /// <summary>--image-gc-high-threshold: the usage, in percent, at and above which images are collected.</summary>
    public int HighThresholdPercent { get; init; } = 85;

    /// <summary>--image-gc-low-threshold: the usage, in percent, collection brings the filesystem down to.</summary>
    public int LowThresholdPercent { get; init; } = 80;

    /// <summary>--minimum-image-ttl-duration: the least time an image is kept after it was first seen.</summary>
    public TimeSpan MinAge { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the collection runs (upstream's ImageGCPeriod; not a flag).</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromMinutes(5);

    public bool Enabled => HighThresholdPercent < 100;

    /// <summary>Upstream's kubelet configuration checks, with its messages; throws <see cref="FormatException"/>.</summary>
    public ImageGcPolicy Validated()
    {
        if (HighThresholdPercent is < 0 or > 100)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"invalid configuration: imageGCHighThresholdPercent (--image-gc-high-threshold) {HighThresholdPercent} must be between 0 and 100, inclusive"));
        if (LowThresholdPercent is < 0 or > 100)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) {LowThresholdPercent} must be between 0 and 100, inclusive"));
        if (LowThresholdPercent >= HighThresholdPercent)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) {LowThresholdPercent} must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) {HighThresholdPercent}"));
        if (MinAge < TimeSpan.Zero) throw new FormatException("invalid configuration: minimum-image-ttl-duration must not be negative");
        return this;
    }

    /// <summary>A percentage flag's value: a whole number (range checked by <see cref="Validated"/>).</summary>
    public static int ParsePercent(string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n : throw new FormatException($"\"{value}\" is not a whole number of percent");
}
