// Train a DDPM on the 2D two-Gaussian mixture, sample it with DDIM and score the samples against the exact density
// (docs/ddpm.md, docs/samplers.md#ddim, docs/evaluation.md). Usage: ToyDdpm [RUN_DIR] [STEPS] [TIMESTEPS]
using System.Globalization;
using GenSharp;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;
using GenSharp.Diffusion.Toy;
using GenSharp.Runtime;
using GenSharp.Training;

string root = args.Length > 0 ? args[0] : "runs/example-toy";
long steps = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 6000;
int timesteps = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;

try
{
    // threads, allocator and OpenMP settings, once per process; returns the device to run on
    var device = TorchRuntime.Initialize(new ComputeOptions(Device: "cpu", Threads: 1));

    // the run's settings (defaults are the demo's); Resolve measures the data's scale and records the environment
    var defaults = new ToyDdpmConfig();
    var config = ToyDdpmRecipe.Resolve(defaults with
    {
        Training = defaults.Training with { Data = "toy:mog2", Steps = steps, FinalEvalSamples = 2000 },
        Schedule = new NoiseScheduleConfig(Timesteps: timesteps),
    }, device);
    var run = RunDirectory.Create(root);
    RunConfigFile.Write(run, config);

    // trains with the shared Trainer (checkpoints, metrics.jsonl), then samples with ancestral DDPM and writes eval.json
    var trained = ToyDdpmRecipe.Train(config, run, device, resume: false, quiet: true);
    Console.WriteLine($"ancestral DDPM: log-likelihood gap {trained.Metrics["loglik_gap"]:F4} nats, " +
        $"mixture-weight error {trained.Metrics["weight_error_max"]:F4}");

    // any run folder works through its recipe, found by the "model" field of config.json
    IRunRecipe recipe = Registry.Recipe(RunConfigFile.ReadKind(run));
    var ddim = new SamplerSpec("ddim", Steps: Math.Min(50, timesteps));
    var sampled = recipe.Sample(run, new SampleRequest(N: 1000, Seed: 1, Quiet: true, Sampler: ddim), device);
    Console.WriteLine($"DDIM, {sampled.FunctionEvaluations} steps: {sampled.N} samples in {sampled.Files[0]}");

    var scored = recipe.Evaluate(run, new EvalRequest(N: 2000, Seed: 2, Quiet: true, Sampler: ddim), device);
    foreach (string metric in new[] { "loglik_gap", "weight_error_max", "sliced_w2", "mmd2_rbf" })
        Console.WriteLine($"{metric,-18} {scored.Metrics.GetValueOrDefault(metric):F4}");
    Console.WriteLine($"eval.json: {scored.EvalPath}");
    return 0;
}
catch (GenSharpException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return e.ExitCode;
}
