using Skiff.Bench;

// Benchmarks and test helpers; never part of the product.
//   store [--sequential N] [--concurrent N] [--clients N] [--value-bytes N]   SqliteStore vs Debian's etcd
//   reads [keys]                                                             SqliteStore get/list costs
//   crash-writer <db-path>                                                   writes until killed, printing each acknowledged write
return args.FirstOrDefault() switch
{
    "store" => await StoreBenchCommand.RunAsync(args[1..]),
    "reads" => await ReadBenchCommand.RunAsync(args[1..]),
    "crash-writer" when args.Length == 2 => await CrashWriter.RunAsync(args[1]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Skiff.Bench store [--sequential N] [--concurrent N] [--clients N] [--value-bytes N]");
    Console.Error.WriteLine("       Skiff.Bench crash-writer <db-path>");
    return 2;
}
