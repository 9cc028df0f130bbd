namespace Skiff.Streaming;

/// <summary>What an exec or attach session carries, from the query string (upstream's PodExecOptions).</summary>
public sealed record RemoteCommandOptions(bool Stdin, bool Stdout, bool Stderr, bool Tty, IReadOnlyList<string> Command)
{
    /// <summary>Reads <c>stdin</c>, <c>stdout</c>, <c>stderr</c>, <c>tty</c> (true/1) and repeated <c>command</c>; with a TTY stderr is merged into stdout.</summary>
    public static RemoteCommandOptions FromQuery(Func<string, IReadOnlyList<string>> query)
    {
        bool Flag(string name) => query(name) is { Count: > 0 } v && v[0] is "true" or "1" or "True";
        var tty = Flag("tty");
        return new RemoteCommandOptions(Flag("stdin"), Flag("stdout"), Flag("stderr") && !tty, tty, query("command"));
    }

    /// <summary>Upstream refuses a session with no stream at all.</summary>
    public bool HasStreams => Stdin || Stdout || Stderr;
}
