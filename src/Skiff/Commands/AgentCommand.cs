using System.CommandLine;
using Skiff.Agent;

namespace Skiff.Commands;

/// <summary><c>skiff agent --server URL --token T</c>: parses and checks the flags, then hands over to <see cref="JoinedAgentRunner"/>.</summary>
public static class AgentCommand
{
    private static readonly Option<string> Config = new("--config", "-c") { Description = "(config) Load configuration from FILE (keys are long flag names)", DefaultValueFactory = _ => Paths.DefaultConfigFile };
    private static readonly Option<string> DataDir = new("--data-dir", "-d") { Description = "(data) Folder to hold state (default /var/lib/skiff as root, ~/.skiff otherwise)" };
    private static readonly Option<string> Server = new("--server", "-s") { Description = "(cluster) Server to connect to, e.g. https://10.0.0.1:6443 (env SKIFF_SERVER)" };
    private static readonly Option<string> Token = new("--token", "-t") { Description = "(cluster) Token to join with: the content of the server's <data-dir>/server/token (env SKIFF_TOKEN)" };
    private static readonly Option<string> TokenFile = new("--token-file") { Description = "(cluster) File holding the token" };
    private static readonly AgentFlags AgentFlags = new();

    private static readonly Option[] All = [Config, DataDir, Server, Token, TokenFile, .. AgentFlags.All];

    public static Command Create()
    {
        var cmd = new Command("agent", "Run the node agent (containerd and the kubelet), joined to a server with a token");
        foreach (var o in All) cmd.Options.Add(o);
        cmd.SetAction(async (parse, ct) =>
        {
            JoinedAgentOptions options;
            try { options = Bind(parse); }
            catch (Exception e) when (e is FormatException or IOException or ArgumentException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"skiff agent: {e.Message}");
                return 2;
            }
            return await JoinedAgentRunner.RunAsync(options, ct);
        });
        return cmd;
    }

    private static JoinedAgentOptions Bind(ParseResult parse)
    {
        var sources = OptionSources.Bind(parse, Config, "agent", All);
        var serverText = sources.Get(Server) ?? throw new FormatException("--server (or SKIFF_SERVER) is required, e.g. --server https://10.0.0.1:6443");
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || server.Scheme != "https" || server.AbsolutePath != "/")
            throw new FormatException($"--server: \"{serverText}\" is not an https:// URL of a server, e.g. https://10.0.0.1:6443");
        var tokenText = sources.Get(Token);
        if (sources.Get(TokenFile) is { Length: > 0 } file)
        {
            if (tokenText is not null) throw new FormatException("give --token or --token-file, not both");
            tokenText = File.ReadAllText(file);
        }
        if (string.IsNullOrWhiteSpace(tokenText))
            throw new FormatException("--token, --token-file (or SKIFF_TOKEN) is required: the content of the server's <data-dir>/server/token");
        Api.Join.JoinToken token;
        try { token = Api.Join.JoinToken.Parse(tokenText); }
        catch (FormatException e) { throw new FormatException($"--token: {e.Message}"); }
        return new JoinedAgentOptions
        {
            DataDir = Path.GetFullPath(sources.Get(DataDir) ?? Paths.DefaultDataDir),
            Server = server,
            Token = token,
            Agent = AgentFlags.Bind(sources),
        };
    }
}
