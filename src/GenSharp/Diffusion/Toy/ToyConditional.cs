using GenSharp.Data.Toy;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Pipelines;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Toy;

/// <summary>
/// The 2D DDPM conditioned on the mixture component (<c>--condition component</c>; docs/ddpm.md#classifier-free-guidance): the label of
/// a training point is the component it was drawn from, so conditional samples get exact per-component metrics
/// (docs/evaluation.md#conditional-generation): the fraction whose most probable component is the requested one, and their mean
/// log-likelihood under that component beside its closed form E_{N_k}[log N_k(x)] = -log(2 pi) - 1/2 log det Sigma_k - 1.
/// </summary>
public static class ToyConditional
{
    /// <summary>Samples per sampler call: the guided batch (twice this) stays within one <see cref="RowChunks"/> block.</summary>
    public const int Chunk = RowChunks.DefaultRows / 2;

    /// <summary>The conditioning of a new run, one class per mixture component (a one-line error for data that are no mixture).</summary>
    public static ConditioningConfig? WithComponents(ConditioningConfig? conditioning, IToyDistribution distribution)
    {
        if (conditioning is null) return null;
        var mixture = Mixture(distribution, conditioning.Kind);
        return (conditioning with { ClassNames = [.. Enumerable.Range(0, mixture.Components).Select(k => $"component {k}")] }).Validate();
    }

    public static GaussianMixture2D Mixture(IToyDistribution distribution, string kind = ConditioningConfig.Component) =>
        distribution as GaussianMixture2D
        ?? throw new ConfigException($"--condition {kind}: {distribution.Name} is not a Gaussian mixture, so it has no components");

    /// <summary>L_simple on a batch drawn with its components as labels, each dropped to the null label with probability p_uncond.</summary>
    public static Tensor Loss(ToyDdpmConfig config, MlpNoisePredictor model, GaussianDiffusion diffusion, IToyDistribution distribution,
        Tensor mean, Tensor std, Generator rng, Device device)
    {
        var c = config.Conditioning!;
        var (x, k) = Mixture(distribution).SampleWithComponents(config.Training.Batch, rng, device);
        var x0 = (x - mean) / std;
        var y = LabelDropout.Apply(k, c.PUncond, c.NullLabel, rng);
        return config.Objective.Loss(diffusion, (xt, t) => model.Forward(xt, t, y), x0, rng); // epsilon only (Validate), min-SNR or not
    }

    /// <summary>The run's own guided sampling: its guidance weight, components drawn uniformly at random.</summary>
    public static GuidedSampling Default(ConditioningConfig c) => new(c.Classes, c.NullLabel, c.Guidance, null);

    /// <summary>
    /// n guided samples in standardised space, <see cref="Chunk"/> at a time from one generator (labels, then start noise, per chunk);
    /// the trajectory is recorded on the first chunk.
    /// </summary>
    public static SamplerResult Sample(MlpNoisePredictor model, IDiffusionSampler sampler, int n, int dim, Generator g, Device device,
        SamplingObserver observer, GuidedSampling guidance)
    {
        var parts = new List<Tensor>();
        var trajectory = new Dictionary<int, Tensor>();
        var labelParts = new List<Tensor>();
        double seconds = 0;
        int evaluations = 0;
        for (int start = 0; start < n; start += Chunk)
        {
            int len = Math.Min(Chunk, n - start);
            var labels = guidance.Labels(len, g, device);
            labelParts.Add(labels);
            var eps = ClassifierFreeGuidance.Guide((x, t, y) => model.Forward(x, t, y), labels, guidance.NullLabel, guidance.W, guidance.Rescale);
            var chunkObserver = start == 0 ? observer : new SamplingObserver(onStep: observer.Step);
            var result = sampler.Sample(eps, [len, dim], g, device, chunkObserver);
            parts.Add(result.Samples);
            foreach (var (k, v) in result.Trajectory) trajectory[k] = v;
            seconds += result.Seconds;
            evaluations = result.FunctionEvaluations * (guidance.W is 0 or 1 ? 1 : 2);
        }
        return new SamplerResult(BatchedSampling.Concatenate(parts), evaluations, seconds, trajectory, BatchedSampling.Concatenate(labelParts));
    }

    /// <summary>One component's exact metrics at one guidance weight.</summary>
    public sealed record ComponentRow(double Guidance, int Component, int N, double FractionInComponent, double MeanLogLikelihood,
        double ExactMeanLogLikelihood)
    {
        /// <summary>Closed-form mean log-likelihood minus the samples' (positive: samples are less likely than the component's own).</summary>
        public double Gap => ExactMeanLogLikelihood - MeanLogLikelihood;
    }

    /// <summary>
    /// For each weight and component k: <paramref name="n"/> samples of class k scored under the true mixture (in data space), guided with
    /// rescale <paramref name="rescale"/> (docs/ddpm.md#classifier-free-guidance).
    /// </summary>
    public static List<ComponentRow> Evaluate(ToyDdpmConfig config, MlpNoisePredictor model, GaussianDiffusion diffusion, SamplerSpec spec,
        IToyDistribution distribution, IEnumerable<double> weights, int n, long seed, Device device, bool quiet, double rescale = 0)
    {
        var mixture = Mixture(distribution);
        var rows = new List<ComponentRow>();
        foreach (double w in weights)
            for (int k = 0; k < mixture.Components; k++)
            {
                using var scope = NewDisposeScope();
                using var g = new Generator((ulong)seed, device);
                var guidance = new GuidedSampling(mixture.Components, mixture.Components, w, k, rescale);
                var drawn = ToyDdpmRecipe.DrawSamples(config, model, diffusion, n, g, device, quiet, sampler: spec, guidance: guidance);
                var x = drawn.Samples.cpu();
                double fraction = (mixture.Responsibilities(x).argmax(1) == k).to_type(ScalarType.Float64).mean().item<double>();
                var logNk = mixture.ComponentLogDensities(x)[.., k] - Math.Log(mixture.Weights[k]);
                rows.Add(new ComponentRow(w, k, n, fraction, logNk.mean().item<double>(), ExactMeanLogLikelihood(mixture, k)));
            }
        return rows;
    }

    /// <summary>E_{x ~ N(mu_k, Sigma_k)} [log N(x; mu_k, Sigma_k)] = -log(2 pi) - 1/2 log det Sigma_k - 1 in 2D (minus the entropy).</summary>
    public static double ExactMeanLogLikelihood(GaussianMixture2D mixture, int k)
    {
        var s = mixture.Covariances[k];
        double det = s[0][0] * s[1][1] - s[0][1] * s[1][0];
        return -Math.Log(2 * Math.PI) - 0.5 * Math.Log(det) - 1;
    }
}
