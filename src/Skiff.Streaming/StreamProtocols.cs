namespace Skiff.Streaming;

/// <summary>
/// The names and channel numbers of Kubernetes' streaming protocols. Over WebSocket every binary message
/// starts with its channel byte; v5 adds message 255 (close) whose second byte names the channel the
/// sender will write no more to (the client's stdin EOF).
/// </summary>
public static class StreamProtocols
{
    public const string V5Channel = "v5.channel.k8s.io";
    public const string V4Channel = "v4.channel.k8s.io";
    /// <summary>SPDY port forwarding (over a raw upgrade, or tunnelled in WebSocket with <see cref="SpdyTunnelPrefix"/>).</summary>
    public const string PortForward = "portforward.k8s.io";
    /// <summary>kubectl 1.30+ puts SPDY inside WebSocket binary messages and names it "SPDY/3.1+" + the SPDY protocol.</summary>
    public const string SpdyTunnelPrefix = "SPDY/3.1+";
    public const string SpdyUpgrade = "SPDY/3.1";
    public const string ProtocolHeader = "X-Stream-Protocol-Version";

    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Error = 3;
    public const byte Resize = 4;
    public const byte Close = 255;

    /// <summary>The WebSocket protocols the kubelet speaks for exec and attach, best first.</summary>
    public static readonly string[] RemoteCommandWebSocket = [V5Channel, V4Channel];

    /// <summary>The SPDY protocols offered to the runtime's streaming server (containerd 1.6 knows up to v4).</summary>
    public static readonly string[] RemoteCommandSpdy = [V4Channel];

    /// <summary>Picks the first protocol of <paramref name="offered"/> (client order) that is in <paramref name="supported"/>.</summary>
    public static string? Choose(IEnumerable<string> offered, IReadOnlyCollection<string> supported) =>
        offered.SelectMany(o => o.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(supported.Contains);
}
