using Skiff.Controllers.NodeIpam;

namespace Skiff.Controllers.Tests.NodeIpam;

public sealed class CidrAllocatorTests
{
    [Fact]
    public void Hands_out_the_lowest_free_24_and_reuses_released_ones()
    {
        var a = new CidrAllocator("10.42.0.0/16");
        Assert.Equal(256, a.Capacity);
        Assert.Equal("10.42.0.0/24", a.Allocate());
        Assert.Equal("10.42.1.0/24", a.Allocate());
        a.Release("10.42.0.0/24");
        Assert.Equal("10.42.0.0/24", a.Allocate());
        Assert.Equal("10.42.2.0/24", a.Allocate());
    }

    [Fact]
    public void Ranges_nodes_already_hold_are_skipped_and_foreign_ones_refused()
    {
        var a = new CidrAllocator("10.42.0.0/16");
        Assert.True(a.MarkUsed("10.42.0.0/24"));
        Assert.True(a.MarkUsed("10.42.1.0/24"));
        Assert.False(a.MarkUsed("10.99.0.0/24"));
        Assert.False(a.MarkUsed("10.42.0.0/25"));
        Assert.Equal("10.42.2.0/24", a.Allocate());
    }

    [Fact]
    public void An_exhausted_range_gives_null()
    {
        var a = new CidrAllocator("10.1.2.0/23");
        Assert.Equal("10.1.2.0/24", a.Allocate());
        Assert.Equal("10.1.3.0/24", a.Allocate());
        Assert.Null(a.Allocate());
        Assert.Throws<ArgumentException>(() => new CidrAllocator("10.0.0.0/25"));
    }
}
