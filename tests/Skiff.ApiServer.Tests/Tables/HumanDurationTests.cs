using Skiff.ApiServer.Tables;

namespace Skiff.ApiServer.Tests.Tables;

public class HumanDurationTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(5, "5s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(182, "3m2s")]
    [InlineData(599, "9m59s")]
    [InlineData(600, "10m")]
    [InlineData(179 * 60 + 59, "179m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(4 * 3600 + 5 * 60, "4h5m")]
    [InlineData(8 * 3600 + 30 * 60, "8h")]
    [InlineData(47 * 3600, "47h")]
    [InlineData(2 * 86400 + 5 * 3600, "2d5h")]
    [InlineData(7 * 86400, "7d")]
    [InlineData(300 * 86400, "300d")]
    [InlineData(729 * 86400, "729d")]
    [InlineData((3 * 365 + 45) * 86400L, "3y45d")]
    [InlineData(2 * 365 * 86400L, "2y")]
    [InlineData(9 * 365 * 86400L, "9y")]
    public void Formats_like_upstream(long seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Small_negative_skew_reads_as_now() =>
        Assert.Equal("0s", HumanDuration.Format(TimeSpan.FromMilliseconds(-1500)));

    [Fact]
    public void Clearly_negative_is_invalid() =>
        Assert.Equal("<invalid>", HumanDuration.Format(TimeSpan.FromSeconds(-2)));

    [Fact]
    public void Missing_timestamp_is_unknown() =>
        Assert.Equal("<unknown>", HumanDuration.Since(null, DateTimeOffset.UnixEpoch));
}
