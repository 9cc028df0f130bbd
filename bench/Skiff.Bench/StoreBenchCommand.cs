namespace Skiff.Bench;
internal static class StoreBenchCommand
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(1);
}
