using GenSharp.Data.Toy;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Samplers;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Toy;

/// <summary>The per-component exact metrics of a component-conditional toy run in eval.json (docs/evaluation.md#conditional-generation).</summary>
internal static class ToyConditionalReport
{
    /// <summary>
    /// Adds <c>guidance</c>, <c>per_component</c> (at the run's or the requested w), <c>guidance_sweep</c> (with --guidance-sweep) and
    /// the summary metrics <c>min_fraction_in_component</c>, <c>mean_component_ll_gap</c>, <c>max_component_ll_gap</c>.
    /// </summary>
    public static void AddToEvaluation(ToyDdpmConfig config, Nn.MlpNoisePredictor model, GaussianDiffusion diffusion, SamplerSpec spec,
        IToyDistribution distribution, EvalRequest request, Device device, Dictionary<string, object?> json, Dictionary<string, double?> metrics)
    {
        var c = config.Conditioning!;
        double main = request.Guidance?.Guidance ?? c.Guidance;
        var weights = (request.Guidance?.Sweep ?? []).Append(main).Distinct().ToList();
        int perComponent = Math.Max(100, request.N / c.Classes);
        double rescale = request.Guidance?.Rescale is { } phi ? GuidanceWeight.CheckRescale(phi, "--guidance-rescale") : 0;
        var rows = ToyConditional.Evaluate(config, model, diffusion, spec, distribution, weights, perComponent, request.Seed + 3, device,
            request.Quiet, rescale);
        var mainRows = rows.Where(r => r.Guidance == main).ToList();
        json["guidance"] = main;
        json["guidance_rescale"] = rescale;
        json["per_component"] = mainRows.Select(Row).ToList();
        if (request.Guidance?.Sweep is { } sweep)
            json["guidance_sweep"] = sweep.Select(w => new Dictionary<string, object?>
            {
                ["guidance"] = w,
                ["min_fraction_in_component"] = rows.Where(r => r.Guidance == w).Min(r => r.FractionInComponent),
                ["mean_component_ll_gap"] = rows.Where(r => r.Guidance == w).Average(r => r.Gap),
                ["per_component"] = rows.Where(r => r.Guidance == w).Select(Row).ToList(),
            }).ToList();
        metrics["min_fraction_in_component"] = mainRows.Min(r => r.FractionInComponent);
        metrics["mean_component_ll_gap"] = mainRows.Average(r => r.Gap);
        metrics["max_component_ll_gap"] = mainRows.Max(r => r.Gap);
    }

    private static Dictionary<string, object?> Row(ToyConditional.ComponentRow r) => new()
    {
        ["component"] = r.Component,
        ["n"] = r.N,
        ["fraction_in_component"] = r.FractionInComponent,
        ["mean_log_likelihood"] = r.MeanLogLikelihood,
        ["exact_mean_log_likelihood"] = r.ExactMeanLogLikelihood,
        ["ll_gap"] = r.Gap,
    };
}
