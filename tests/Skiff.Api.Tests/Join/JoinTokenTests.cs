using Skiff.Api.Join;

namespace Skiff.Api.Tests.Join;

public class JoinTokenTests
{
    private static readonly string Hash = new('c', 64);

    [Fact]
    public void TheSecureFormCarriesHashUserAndPassword()
    {
        var t = JoinToken.Parse($"K10{Hash}::server:s3cret\n");
        Assert.Equal(Hash, t.CaHash);
        Assert.Equal("server", t.Username);
        Assert.Equal("s3cret", t.Password);
        Assert.Equal($"K10{Hash}::server:s3cret", t.Format());
    }

    [Fact]
    public void WithoutAUserTheUserIsNodeAndABarePasswordHasNoHash()
    {
        Assert.Equal(("node", "pw"), (JoinToken.Parse($"K10{Hash}::pw").Username, JoinToken.Parse($"K10{Hash}::pw").Password));
        var shortForm = JoinToken.Parse("just-a-password");
        Assert.Null(shortForm.CaHash);
        Assert.Equal("just-a-password", shortForm.Password);
        Assert.Throws<InvalidOperationException>(() => shortForm.Format());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("K10abc::server:pw", "64 hexadecimal")]
    [InlineData("K10" + "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" + "::server:pw", "64 hexadecimal")]
    [InlineData("K10cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc::server:", "password")]
    [InlineData("K10cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc:::pw", "user")]
    [InlineData("two words", "white space")]
    public void MalformedTokensSayWhatIsWrong(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => JoinToken.Parse(text)).Message);

    [Fact]
    public void TheHashIsSha256OfTheBundleAndPasswordsCompareExactly()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", JoinToken.HashOf("abc"));
        var t = new JoinToken(Hash, "server", "pw");
        Assert.True(t.PasswordEquals("pw"));
        Assert.False(t.PasswordEquals("pW"));
        Assert.False(t.PasswordEquals("pw "));
        Assert.DoesNotContain("pw", t.ToString().Replace("::server", ""));
        Assert.Matches("^[0-9a-f]{32}$", JoinToken.NewPassword());
    }

    [Fact]
    public void JoinMessagesRoundTripAndNameMissingFields()
    {
        var req = new NodeJoinRequest("n1", ["10.0.0.2"], "secret");
        var back = NodeJoinRequest.FromJson(req.ToJson());
        Assert.Equal(("n1", "secret"), (back.NodeName, back.NodePassword));
        Assert.Equal(["10.0.0.2"], back.NodeIps);
        Assert.Contains("nodePassword", Assert.Throws<FormatException>(() => NodeJoinRequest.FromJson(System.Text.Json.Nodes.JsonNode.Parse("""{"nodeName":"a"}"""))).Message);
        Assert.Contains("list of strings", Assert.Throws<FormatException>(() => NodeJoinRequest.FromJson(System.Text.Json.Nodes.JsonNode.Parse("""{"nodeName":"a","nodePassword":"b","nodeIPs":[1]}"""))).Message);
        var res = new NodeJoinResponse("a", "b", "c", "d", "e", "f");
        Assert.Equal(res, NodeJoinResponse.FromJson(res.ToJson()));
    }
}
