using Skiff.Api.Protobuf;

namespace Skiff.Api.Tests.Protobuf;

public sealed class WellKnownFormatsTests
{
    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(90_000_000_000L, "1m30s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(300_000_000L, "300ms")]
    [InlineData(1_500L, "1.5µs")]
    [InlineData(10L, "10ns")]
    [InlineData(-2_000_000_000L, "-2s")]
    [InlineData(3_723_000_000_001L, "1h2m3.000000001s")]
    public void Duration_matches_Go(long nanoseconds, string expected) =>
        Assert.Equal(expected, WellKnownFormats.Duration(nanoseconds));

    [Fact]
    public void MicroTime_has_six_fraction_digits() =>
        Assert.Equal("1970-01-01T00:00:01.000001Z", WellKnownFormats.MicroTime(1, 1_999));
}
