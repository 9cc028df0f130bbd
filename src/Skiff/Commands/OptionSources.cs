using System.CommandLine;

namespace Skiff.Commands;

/// <summary>
/// One command's option values from its three sources, in k3s's order: flags win over <c>SKIFF_*</c> environment
/// variables (the long name in upper case, dashes as underscores), which win over the config file (keys are long
/// flag names). Built once per invocation; <see cref="Get{T}"/> is pure.
/// </summary>
internal sealed class OptionSources
{
    private readonly ParseResult _flags;
    private readonly ParseResult? _file;

    private OptionSources(ParseResult flags, ParseResult? file)
    {
        _flags = flags;
        _file = file;
    }

    /// <summary>
    /// Reads the config file named by <paramref name="config"/> (its default may be absent; an explicit one must exist)
    /// and parses it as <paramref name="commandName"/> with <paramref name="options"/>.
    /// </summary>
    /// <exception cref="FormatException">The file has unknown keys or bad values.</exception>
    /// <exception cref="IOException">An explicitly named config file does not exist.</exception>
    public static OptionSources Bind(ParseResult parse, Option<string> config, string commandName, IEnumerable<Option> options)
    {
        var configPath = parse.GetValue(config)!;
        var explicitConfig = parse.GetResult(config) is { Implicit: false };
        ParseResult? file = null;
        if (File.Exists(configPath))
        {
            var args = ConfigFile.ToArguments(configPath);
            var root = new RootCommand();
            var inner = new Command(commandName);
            foreach (var o in options) inner.Options.Add(o);
            root.Subcommands.Add(inner);
            file = root.Parse([commandName, .. args]);
            if (file.Errors.Count > 0) throw new FormatException($"{configPath}: {string.Join("; ", file.Errors.Select(e => e.Message))}");
        }
        else if (explicitConfig) throw new IOException($"config file {configPath} does not exist");
        return new OptionSources(parse, file);
    }

    public static string EnvironmentName(Option o) => "SKIFF_" + o.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    /// <summary>The option's value from the first source that sets it; default when none does.</summary>
    public T? Get<T>(Option<T> o)
    {
        if (_flags.GetResult(o) is { Implicit: false }) return _flags.GetValue(o);
        var env = Environment.GetEnvironmentVariable(EnvironmentName(o));
        if (!string.IsNullOrEmpty(env))
        {
            var r = new RootCommand { o };
            var p = r.Parse(typeof(T) == typeof(string[]) ? [.. env.Split(',').SelectMany(v => new[] { o.Name, v.Trim() })] : [o.Name, env]);
            if (p.Errors.Count > 0) throw new FormatException($"{EnvironmentName(o)}: {p.Errors[0].Message}");
            return p.GetValue(o);
        }
        if (_file is not null && _file.GetResult(o) is { Implicit: false }) return _file.GetValue(o);
        return default;
    }
}
