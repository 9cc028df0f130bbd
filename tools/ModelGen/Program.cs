using Skiff.ModelGen;

// Usage: ModelGen <swagger.json> <src/Skiff.Api>. Rewrites the generated files and removes stale ones.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ModelGen <swagger.json> <path to src/Skiff.Api>");
    return 2;
}

var (swaggerPath, outputRoot) = (args[0], args[1]);
var files = Generator.Generate(await File.ReadAllTextAsync(swaggerPath));

foreach (var dir in new[] { "Models", "Generated/Json" })
{
    var generatedDir = Path.Combine(outputRoot, dir);
    if (!Directory.Exists(generatedDir)) continue;
    foreach (var existing in Directory.EnumerateFiles(generatedDir, "*.g.cs"))
    {
        var relative = Path.GetRelativePath(outputRoot, existing).Replace('\\', '/');
        if (Generator.IsGeneratedPath(relative) && !files.ContainsKey(relative)) File.Delete(existing);
    }
}

var changed = 0;
foreach (var (relative, content) in files)
{
    var target = Path.Combine(outputRoot, relative);
    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
    // Leave unchanged files untouched so incremental builds stay incremental.
    if (File.Exists(target) && await File.ReadAllTextAsync(target) == content) continue;
    await File.WriteAllTextAsync(target, content, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    changed++;
}
Console.WriteLine($"ModelGen: {files.Count} files, {changed} written.");
return 0;
