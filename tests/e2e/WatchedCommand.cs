using System.Diagnostics;
using System.Threading.Channels;

namespace Skiff.E2E;

/// <summary>A long-running kubectl (e.g. <c>get -w</c>) whose output lines a test waits for with a deadline.</summary>
public sealed class WatchedCommand : IDisposable
{
    private readonly Process _p;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];

    private WatchedCommand(Process p)
    {
        _p = p;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Writer.TryWrite(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Writer.TryWrite("stderr: " + e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
    }

    public static WatchedCommand Start(SkiffServer server, params string[] args)
    {
        var psi = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(server.Kubeconfig);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["HOME"] = Path.Combine(server.DataDir, "home");
        return new WatchedCommand(Process.Start(psi)!);
    }

    /// <summary>Waits until a line matching <paramref name="match"/> arrives; fails with everything seen after the deadline.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cts.Token);
                _seen.Add(line);
                if (match(line)) return line;
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException("expected line did not arrive; seen:\n" + string.Join('\n', _seen));
        }
    }

    public void Dispose()
    {
        try { if (!_p.HasExited) _p.Kill(true); } catch (InvalidOperationException) { }
        _p.WaitForExit(5000);
        _p.Dispose();
    }
}
