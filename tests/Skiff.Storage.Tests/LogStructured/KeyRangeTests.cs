using Skiff.Storage.LogStructured;

namespace Skiff.Storage.Tests.LogStructured;

public sealed class KeyRangeTests
{
    [Theory]
    [InlineData("/registry/pods/", "/registry/pods0")]
    [InlineData("a", "b")]
    [InlineData("", KeyRange.Infinity)]
    public void EndIsTheFirstStringWithoutThePrefix(string prefix, string end) => Assert.Equal(end, KeyRange.EndOf(prefix));

    [Fact]
    public void StartKeyBeforeThePrefixIsIgnored()
    {
        Assert.Equal("/p/", KeyRange.StartOf("/p/", "/a"));
        Assert.Equal("/p/x", KeyRange.StartOf("/p/", "/p/x"));
        Assert.Equal("/p/", KeyRange.StartOf("/p/", null));
    }
}

public sealed class CompactorTargetTests
{
    [Fact]
    public async Task TargetRespectsBothTheRevisionAndTheAgeWindow()
    {
        await using var t = await TempStore.OpenAsync();
        await using var compactor = new Compactor(t.S, new LogStoreOptions
        {
            CompactInterval = TimeSpan.FromHours(1), CompactKeep = 100, CompactMinAge = TimeSpan.FromMinutes(5),
        }, null);
        var t0 = DateTimeOffset.UnixEpoch;
        Assert.True(compactor.NextTarget(t0, 5000) <= 0);                          // nothing is old enough yet
        Assert.True(compactor.NextTarget(t0.AddMinutes(3), 6000) <= 0);
        Assert.Equal(5000, compactor.NextTarget(t0.AddMinutes(5), 7000));           // the t0 sample is now 5 minutes old
        Assert.Equal(6000, compactor.NextTarget(t0.AddMinutes(8), 8000));           // the age window is the tighter one

        await using var byCount = new Compactor(t.S, new LogStoreOptions
        {
            CompactInterval = TimeSpan.FromHours(1), CompactKeep = 1000, CompactMinAge = TimeSpan.Zero,
        }, null);
        Assert.Equal(500, byCount.NextTarget(t0, 1500));                             // the revision window is the tighter one
    }
}
