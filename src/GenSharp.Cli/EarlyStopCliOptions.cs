using System.CommandLine;
using GenSharp.Cli.Commands;
using GenSharp.Diffusion.EarlyStop;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Cli;

/// <summary>
/// <c>--start-from RUN</c> with <c>--t0 T0</c> (<c>sample</c>) or <c>--t0-sweep LIST</c> (<c>eval</c>): early-stopped DDPM from a fast generator's
/// samples (docs/latent-diffusion.md#es-ddpm).
/// </summary>
public sealed class EarlyStopCliOptions(bool sweep)
{
    public Option<string?> StartFrom { get; } = new("--start-from")
    {
        Description = "[image DDPM] Early-stopped DDPM: start from this run's samples (a VAE or GAN run on the same images), diffused to " +
                      (sweep ? "each T0 of --t0-sweep" : "--t0") + " with q(x_T0 | x_0), then only the last T0 reverse steps"
    };

    public Option<int?> T0 { get; } = new("--t0")
    {
        Description = "[with --start-from] T0, the step the reverse chain starts from (1..T); ancestral over the last T0 steps, or --sampler " +
                      "ddim --steps K on the table truncated at T0"
    };

    public Option<string?> Sweep { get; } = new("--t0-sweep")
    {
        Description = "[with --start-from] T0s to compare, comma-separated (e.g. 25,50,100,200,400): FD, precision, recall, samples/s and network " +
                      "evaluations of each, beside the generator alone, DDPM-T, DDIM-50 and DPM-Solver++-20; writes eval-t0-sweep.json/.md and " +
                      "plots/t0-sweep.png"
    };

    public void AddTo(Command command)
    {
        command.Options.Add(StartFrom);
        command.Options.Add(sweep ? Sweep : T0);
    }

    /// <summary>The start run (null: no early stopping); refuses a T0 or sweep without it and the reverse.</summary>
    public string? Read(ParseResult parse)
    {
        string? start = parse.GetValue(StartFrom);
        bool given = sweep ? parse.GetValue(Sweep) is not null : parse.GetValue(T0) is not null;
        string flag = sweep ? "--t0-sweep" : "--t0";
        if (start is null && given) throw new ConfigException($"{flag}: applies with --start-from RUN (the generator whose samples are diffused)");
        if (start is not null && !given) throw new ConfigException($"--start-from {start}: give {flag} too (e.g. {(sweep ? "25,50,100" : "100")})");
        return start;
    }

    /// <summary><c>sample RUN --start-from START --t0 T0</c>: the early-stopped draw, written like any sample folder.</summary>
    public SampleOutcome Sample(ParseResult parse, RunDirectory run, string start, SampleRequest request, Device device)
    {
        using var es = EarlyStoppedDdpm.Open(run, RunDirectory.Open(start), device);
        using var sampler = es.Sampler(parse.GetValue(T0)!.Value, request.Sampler, device);
        return Pipelines.SampleFolder.Draw(run, request, sampler, device);
    }

    /// <summary><c>eval RUN --start-from START --t0-sweep LIST</c>: runs the sweep and prints its table.</summary>
    public int RunSweep(ParseResult parse, RunDirectory run, string start, EvalRequest request, Device device)
    {
        if (request.Sampler is not null)
            throw new ConfigException("--sampler: the sweep uses ancestral steps for every T0 and its own baselines (DDPM-T, DDIM-50, " +
                "DPM-Solver++-20)");
        int[] t0s = TrainDdpmCommand.ParseInts(parse.GetValue(Sweep), "--t0-sweep") ?? [];
        using var es = EarlyStoppedDdpm.Open(run, RunDirectory.Open(start), device);
        var (rows, floor) = EarlyStopSweep.Run(es, run, t0s, request.N, request.Seed, device, request.Quiet, parse.InvocationConfiguration.Error);
        var w = parse.InvocationConfiguration.Output;
        w.WriteLine($"wrote {Path.Combine(run.Root, EarlyStopSweep.JsonName)}");
        w.Write(EarlyStopSweep.Table(rows, floor));
        return 0;
    }
}
