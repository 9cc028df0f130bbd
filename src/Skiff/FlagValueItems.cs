namespace Skiff;

/// <summary>
/// The "flag=value" items of k3s's pass-through options (--kubelet-arg, --kube-controller-manager-arg): a leading
/// "--" on the flag is allowed, and the value is everything after the first '='. Stateless.
/// </summary>
internal static class FlagValueItems
{
    /// <summary>
    /// Folds <paramref name="apply"/> over the items in order. An item without a flag, or any
    /// <see cref="FormatException"/> from <paramref name="apply"/>, becomes one FormatException that names the
    /// option and the flag ("--kubelet-arg max-pods: ...").
    /// </summary>
    public static T Fold<T>(IEnumerable<string> items, string option, T seed, Func<T, string, string, T> apply)
    {
        var state = seed;
        foreach (var item in items)
        {
            var eq = item.IndexOf('=');
            if (eq <= 0) throw new FormatException($"{option}: \"{item}\" is not flag=value");
            var (flag, value) = (item[..eq].TrimStart('-'), item[(eq + 1)..]);
            try { state = apply(state, flag, value); }
            catch (FormatException e) { throw new FormatException($"{option} {flag}: {e.Message}", e); }
        }
        return state;
    }
}
