using Skiff.ApiServer.Pki;

namespace Skiff.ApiServer.Tests.Pki;

public sealed class FileModesTests
{
    [Theory]
    [InlineData("0600", 0x180)]
    [InlineData("600", 0x180)]
    [InlineData("0644", 0x1A4)]
    [InlineData(" 0640 ", 0x1A0)]
    [InlineData("0o755", 0x1ED)]
    public void ParsesOctal(string text, int expected) => Assert.Equal((UnixFileMode)expected, FileModes.ParseOctal(text));

    [Theory]
    [InlineData("")]
    [InlineData("0688")]
    [InlineData("rw-r--r--")]
    [InlineData("4755")]
    [InlineData("00644")]
    public void RejectsNonsense(string text) => Assert.Throws<FormatException>(() => FileModes.ParseOctal(text));
}
