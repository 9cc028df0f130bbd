namespace Skiff.Agent.Tests;

public sealed class ProcMemInfoTests
{
    [Fact]
    public void Fields_are_in_bytes_with_kB_multiplied_and_counts_kept()
    {
        var fields = ProcMemInfo.Parse("MemTotal:        4000000 kB\nInactive(file):   500000 kB\nHugePages_Total:       3\nbroken line\nOdd:  x kB\n");
        Assert.Equal(4_000_000L * 1024, fields["MemTotal"]);
        Assert.Equal(500_000L * 1024, fields["Inactive(file)"]);
        Assert.Equal(3, fields["HugePages_Total"]);
        Assert.Equal(3, fields.Count);
    }

    [Fact]
    public void This_machines_meminfo_has_its_total()
    {
        Assert.True(ProcMemInfo.Read()["MemTotal"] > 0);
    }
}
