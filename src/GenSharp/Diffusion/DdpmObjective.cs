using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion;

/// <summary>
/// What a DDPM network predicts and how its training loss weights the timesteps (docs/ddpm.md#objective), carried in config.json as
/// <c>objective</c> (absent in older runs: epsilon, unweighted). The one place that turns the network's output into the noise
/// prediction every sampler takes (<see cref="AsEps"/>) and that computes the training loss (<see cref="Loss"/>).
///
/// Notation: x_t = alpha_t x_0 + sigma_t eps, alpha_t = sqrt(abar_t), sigma_t = sqrt(1 - abar_t), SNR_t = alpha_t^2 / sigma_t^2.
///   prediction epsilon: the network predicts eps (Ho et al. 2020).
///   prediction v: it predicts v = alpha_t eps - sigma_t x_0 (Salimans and Ho 2022, sec. 4); then eps = sigma_t x_t + alpha_t v, and
///     since v - v_hat = (eps - eps_hat) / alpha_t at fixed x_t, ||v - v_hat||^2 = ||eps - eps_hat||^2 / abar_t.
///   prediction edm: EDM's preconditioned network, trained on EDM's continuous noise levels with its own weighting
///     (<see cref="EdmPreconditioning"/>, Karras et al. 2022); it takes no loss weighting.
///   loss weighting none: the plain mean squared error of the prediction (L_simple for epsilon).
///   loss weighting min-snr:GAMMA (Hang et al. 2023, "Efficient diffusion training via min-SNR weighting strategy"): the x_0 error
///     weighted by min(SNR_t, gamma), i.e. the epsilon error by min(SNR_t, gamma) / SNR_t and the v error by
///     min(SNR_t, gamma) / (SNR_t + 1); gamma = 5 in the paper. A gamma above every SNR_t leaves the epsilon loss unchanged.
/// </summary>
public sealed record DdpmObjective(string Prediction = DdpmObjective.Epsilon, string LossWeighting = DdpmObjective.Unweighted)
{
    public const string Epsilon = "epsilon";
    public const string V = "v";
    public const string Edm = "edm";
    public const string Unweighted = "none";
    public const string MinSnrPrefix = "min-snr:";

    /// <summary>True for the default (epsilon, unweighted): L_simple exactly, as every run before these options.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsDefault => Prediction == Epsilon && LossWeighting == Unweighted;

    /// <summary>gamma of min-snr:GAMMA; null when unweighted.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double? MinSnrGamma => LossWeighting.StartsWith(MinSnrPrefix, StringComparison.Ordinal)
        ? double.Parse(LossWeighting[MinSnrPrefix.Length..], NumberStyles.Float, CultureInfo.InvariantCulture)
        : null;

    public DdpmObjective Validate()
    {
        if (Prediction is not (Epsilon or V or Edm))
            throw new ConfigException($"--prediction {Prediction}: use epsilon, v or edm (docs/ddpm.md#objective)");
        if (LossWeighting == Unweighted) return this;
        if (Prediction == Edm)
            throw new ConfigException($"--loss-weighting {LossWeighting}: --prediction edm has its own weighting (every noise level weighs " +
                "the same after preconditioning); drop --loss-weighting");
        string g = LossWeighting.StartsWith(MinSnrPrefix, StringComparison.Ordinal) ? LossWeighting[MinSnrPrefix.Length..] : "";
        if (!double.TryParse(g, NumberStyles.Float, CultureInfo.InvariantCulture, out double gamma) || !(gamma > 0))
            throw new ConfigException(
                $"--loss-weighting {LossWeighting}: use none or min-snr:GAMMA with GAMMA > 0 (e.g. min-snr:5, Hang et al. 2023)");
        return this;
    }

    /// <summary>Refuses anything but the default where <paramref name="family"/> cannot honour it (one line naming the flags).</summary>
    public void RefuseUnlessDefault(string family)
    {
        if (Prediction != Epsilon) throw new ConfigException($"--prediction {Prediction}: {family} predicts epsilon only; drop --prediction");
        if (LossWeighting != Unweighted)
            throw new ConfigException($"--loss-weighting {LossWeighting}: {family} trains the unweighted loss only; drop --loss-weighting");
    }

    /// <summary>The noise prediction eps_theta(x_t, t) of a network that predicts <see cref="Prediction"/>.</summary>
    public Func<Tensor, Tensor, Tensor> AsEps(Func<Tensor, Tensor, Tensor> network, NoiseSchedule schedule)
    {
        if (Prediction == Epsilon) return network;
        if (Prediction == Edm) return EdmPreconditioning.AsEps(network, schedule);
        return (x, t) =>
        {
            using var scope = NewDisposeScope();
            var v = network(x, t);
            var alpha = NoiseSchedule.Gather(schedule.SqrtAlphaBarsT, t, x.shape);
            var sigma = NoiseSchedule.Gather(schedule.SqrtOneMinusAlphaBarsT, t, x.shape);
            return (sigma * x + alpha * v).to_type(v.dtype).MoveToOuterDisposeScope();
        };
    }

    /// <summary>
    /// The training loss at a uniform random t for a batch <paramref name="x0"/>: t, then eps, drawn from <paramref name="generator"/>
    /// in that order (as <see cref="GaussianDiffusion.LossSimple"/>, which the default objective is exactly).
    /// </summary>
    public Tensor Loss(GaussianDiffusion diffusion, Func<Tensor, Tensor, Tensor> network, Tensor x0, Generator generator)
    {
        if (IsDefault) return diffusion.LossSimple(network, x0, generator);
        if (Prediction == Edm) return EdmPreconditioning.Loss(network, x0, generator);
        using var scope = NewDisposeScope();
        var t = diffusion.SampleTimesteps(x0.shape[0], generator, x0.device);
        var eps = randn(x0.shape, dtype: x0.dtype, device: x0.device, generator: generator);
        var xt = diffusion.QSample(x0, t, eps);
        var perSample = PerSampleError(diffusion.Schedule, network(xt, t), x0, eps, t);
        return (Weights(diffusion.Schedule, t) * perSample).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The mean squared error of the prediction against its target (eps, or v), per sample: shape (N).</summary>
    public Tensor PerSampleError(NoiseSchedule schedule, Tensor prediction, Tensor x0, Tensor eps, Tensor t)
    {
        using var scope = NewDisposeScope();
        var target = eps;
        if (Prediction == V)
        {
            var alpha = NoiseSchedule.Gather(schedule.SqrtAlphaBarsT, t, x0.shape);
            var sigma = NoiseSchedule.Gather(schedule.SqrtOneMinusAlphaBarsT, t, x0.shape);
            target = alpha * eps - sigma * x0;
        }
        long[] dims = [.. Enumerable.Range(1, (int)x0.dim() - 1).Select(d => (long)d)];
        var squared = (prediction - target).square();
        return (dims.Length == 0 ? squared : squared.mean(dims)).MoveToOuterDisposeScope();
    }

    /// <summary>The per-sample loss weights at timesteps <paramref name="t"/> (ones when unweighted): shape (N).</summary>
    public Tensor Weights(NoiseSchedule schedule, Tensor t)
    {
        using var scope = NewDisposeScope();
        var abar = schedule.AlphaBarsT.index_select(0, t).to_type(ScalarType.Float64);
        if (MinSnrGamma is not double gamma) return ones_like(abar).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
        var snr = abar / (1 - abar);
        var w = snr.clamp_max(gamma) / (Prediction == V ? snr + 1 : snr);
        return w.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
