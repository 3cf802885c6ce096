// Load a trained image run (any family: `gensharp train ddpm|ncsn|gan|vae`) and draw images with DPM-Solver++(2M) at
// 20 steps into a folder of PNGs (docs/samplers.md#dpm-solver). Usage: SampleImageRun RUN_DIR OUT_DIR [N] [SEED]
using System.Globalization;
using GenSharp;
using GenSharp.Diffusion.Samplers;
using GenSharp.Runtime;
using GenSharp.Training;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: SampleImageRun RUN_DIR OUT_DIR [N] [SEED]");
    return 2;
}
int n = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
long seed = args.Length > 3 ? long.Parse(args[3], CultureInfo.InvariantCulture) : 0;

try
{
    var device = TorchRuntime.Initialize(new ComputeOptions(Device: "cpu", Threads: 1));

    // a run folder holds config.json (its "model" names the family), checkpoints/ with the EMA weights, and its data hash
    var run = RunDirectory.Open(args[0]);
    string kind = RunConfigFile.ReadKind(run);
    IRunRecipe recipe = Registry.Recipe(kind);

    // the sampler by name, as `gensharp sample --sampler dpmpp --steps 20` builds it; the recipe refuses what it cannot honour
    var dpmSolver = new SamplerSpec("dpmpp", Steps: 20, Spacing: "trailing");
    var request = new SampleRequest(N: n, Seed: seed, Output: args[1], Quiet: true, Sampler: dpmSolver);
    var outcome = recipe.Sample(run, request, device);

    Console.WriteLine($"{kind}: {outcome.N} images, {outcome.FunctionEvaluations} network evaluations, " +
        $"{outcome.SamplesPerSecond:F1} images/s");
    foreach (string file in outcome.Files) Console.WriteLine($"wrote {file}");
    return 0;
}
catch (GenSharpException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return e.ExitCode;
}
