using Skiff.Bench;

// Benchmarks and test helpers; never part of the product.
//   store [--sequential N] [--concurrent N] [--clients N] [--value-bytes N]   SqliteStore vs Debian's etcd
//   reads [keys]                                                             SqliteStore get/list costs
//   api [--count N] [--rate R] [--warmup N] [--settle S] [--skiff PATH]       Secret creates against a real skiff server, open loop
//   memory [--idle SECONDS] [--variant ENV=V[,ENV=V]]… [--skiff PATH]        RSS of an idle skiff server under runtime settings
//   client [--objects N] [--requests N] [--skiff PATH]                       Skiff.Client against a real server, and TLS vs plain transports
//   scheduling [--nodes N] [--init-pods N] [--pods N] [--skiff PATH]         SchedulingBasic: pods/s and attempt latency of the scheduler
//   crash-writer <db-path>                                                   writes until killed, printing each acknowledged write
return args.FirstOrDefault() switch
{
    "store" => await StoreBenchCommand.RunAsync(args[1..]),
    "reads" => await ReadBenchCommand.RunAsync(args[1..]),
    "api" => await ApiBenchCommand.RunAsync(args[1..]),
    "memory" => await MemoryBenchCommand.RunAsync(args[1..]),
    "client" => await ClientBenchCommand.RunAsync(args[1..]),
    "scheduling" => await SchedulingBenchCommand.RunAsync(args[1..]),
    "node" => await NodeBenchCommand.RunAsync(args[1..]),
    "crash-writer" when args.Length == 2 => await CrashWriter.RunAsync(args[1]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Skiff.Bench store [--sequential N] [--concurrent N] [--clients N] [--value-bytes N]");
    Console.Error.WriteLine("       Skiff.Bench reads [keys]");
    Console.Error.WriteLine("       Skiff.Bench api [--count 5000] [--rate 200] [--warmup 100] [--settle 15] [--env NAME=VALUE]... [--skiff PATH]");
    Console.Error.WriteLine("       Skiff.Bench memory [--idle 15] [--variant DOTNET_X=V[,DOTNET_Y=W]]... [--skiff PATH]");
    Console.Error.WriteLine("       Skiff.Bench client [--objects 2000] [--requests 20000] [--skiff PATH]");
    Console.Error.WriteLine("       Skiff.Bench scheduling [--nodes 500] [--init-pods 500] [--pods 1000] [--skiff PATH]");
    Console.Error.WriteLine("       Skiff.Bench crash-writer <db-path>");
    return 2;
}
