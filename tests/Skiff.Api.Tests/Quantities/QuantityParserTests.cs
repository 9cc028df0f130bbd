using Skiff.Api.Quantities;

namespace Skiff.Api.Tests.Quantities;

public sealed class QuantityParserTests
{
    [Theory]
    [InlineData("100m", 100)]
    [InlineData("1", 1000)]
    [InlineData("0.5", 500)]
    [InlineData("2.25", 2250)]
    [InlineData("1e3", 1_000_000)]
    [InlineData("1k", 1_000_000)]
    [InlineData("1n", 1)] // rounds up, as upstream's MilliValue
    [InlineData("250000u", 250)]
    [InlineData("+3", 3000)]
    [InlineData("-1", -1000)]
    public void MilliValueOfCpu(string text, long expected) => Assert.Equal(expected, QuantityParser.MilliValue(text));

    [Theory]
    [InlineData("64Mi", 64L * 1024 * 1024)]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("1G", 1_000_000_000)]
    [InlineData("1.5Ki", 1536)]
    [InlineData("256Gi", 256L << 30)]
    [InlineData("110", 110)]
    [InlineData("1E", 1_000_000_000_000_000_000)]
    [InlineData("1Ei", 1L << 60)]
    [InlineData("12e-1", 2)] // 1.2 rounds up
    [InlineData("1.5", 2)]
    [InlineData("129M", 129_000_000)]
    public void ValueOfMemoryAndCounts(string text, long expected) => Assert.Equal(expected, QuantityParser.Value(text));

    [Theory]
    [InlineData("")]
    [InlineData("Mi")]
    [InlineData("1Mb")]
    [InlineData("1.2.3")]
    [InlineData("abc")]
    [InlineData("1e")]
    [InlineData("1 Gi x")]
    public void RejectsWhatIsNotAQuantity(string text)
    {
        Assert.False(QuantityParser.TryParse(text, out _));
        Assert.Throws<FormatException>(() => QuantityParser.Parse(text));
        Assert.Equal(0, QuantityParser.Value(text));
    }

    [Fact]
    public void HugeValuesSaturateInsteadOfOverflowing() =>
        Assert.Equal(long.MaxValue, QuantityParser.MilliValue("100Ei"));
}
