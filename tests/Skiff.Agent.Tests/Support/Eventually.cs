using System.Diagnostics;

namespace Skiff.Agent.Tests.Support;

/// <summary>Waits for a condition with a deadline; polls, never sleeps blind.</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await probe() is { } value && (value is not bool b || b)) return value;
            }
            catch (Exception e)
            {
                last = e;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}", last);
    }

    public static Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitAsync<bool>(() => Task.FromResult(condition()), timeout, what);
}
