using Skiff.Api.Join;
using Skiff.ApiServer.Join;

namespace Skiff.ApiServer.Tests.Join;

public sealed class JoinTokenStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-token-").FullName;
    private const string Ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void APasswordIsMadeOnceKeptAndLinkedAsNodeToken()
    {
        var first = JoinTokenStore.LoadOrCreate(_dir, Ca, null);
        Assert.Equal(JoinToken.HashOf(Ca), first.CaHash);
        Assert.Equal("server", first.Username);
        var again = JoinTokenStore.LoadOrCreate(_dir, Ca, null);
        Assert.Equal(first.Password, again.Password);
        Assert.Equal(first.Format() + "\n", File.ReadAllText(Path.Combine(_dir, "token")));
        Assert.Equal(first.Format() + "\n", File.ReadAllText(Path.Combine(_dir, "node-token")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "token")));
    }

    [Fact]
    public void AConfiguredTokenWinsAndOneForAnotherCaIsRefused()
    {
        JoinTokenStore.LoadOrCreate(_dir, Ca, null);
        Assert.Equal("mine", JoinTokenStore.LoadOrCreate(_dir, Ca, "mine").Password);
        Assert.Equal("mine", JoinTokenStore.LoadOrCreate(_dir, Ca, null).Password);
        Assert.Equal("x", JoinTokenStore.LoadOrCreate(_dir, Ca, $"K10{JoinToken.HashOf(Ca)}::server:x").Password);
        var e = Assert.Throws<FormatException>(() => JoinTokenStore.LoadOrCreate(_dir, Ca, $"K10{new string('0', 64)}::server:x"));
        Assert.Contains("another cluster", e.Message);
    }
}
