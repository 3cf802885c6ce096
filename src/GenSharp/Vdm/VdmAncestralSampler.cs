using System.Diagnostics;
using GenSharp.Diffusion.Samplers;
using GenSharp.Pipelines;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// Ancestral sampling of a VDM with T steps in SNR form (Kingma et al. 2021, appendix A.4; docs/vdm.md#sampling):
///   z_1 ~ N(0, I); for i = T..1 with t = i/T, s = (i-1)/T:
///     z_s = mu_Q(z_t, x_hat) + sigma_Q eps' = alpha_s / alpha_t (z_t - c sigma_t eps_hat(z_t; gamma_t)) + sqrt(c sigma_s^2) eps',
///     c = -expm1(gamma_s - gamma_t)   (<see cref="VdmPosterior"/>),
///   and the image is the decoder's mean z_0 / alpha_0, clamped to [-1, 1].
/// One dispose scope per step. T network evaluations per sample. The observer's index i is the state entering the step from
/// t = (i+1)/T.
/// </summary>
public sealed class VdmAncestralSampler(VdmNetwork network, int steps, Device device) : IImageSampler
{
    /// <summary>The sampler's name for <c>--sampler</c> on a VDM run (it is not in the registry of discrete-time samplers).</summary>
    public const string Name = "vdm-ancestral";

    public string Label => $"{Name}-{steps}";

    public int FunctionEvaluations => steps;

    public object Settings => new Dictionary<string, object?> { ["name"] = Name, ["steps"] = steps };

    public SamplerResult Sample(int n, Generator generator, SamplingObserver observer)
    {
        network.eval();
        var config = network.UNet.Config;
        using var z1 = randn([n, config.InChannels, config.Height, config.Width], generator: generator, device: device);
        return Run((z, g) => network.call(z, g), network.Schedule, z1, steps, generator, observer);
    }

    /// <summary>The chain from <paramref name="z1"/> (not disposed) to z_0 / alpha_0: images clamped to [-1, 1], or unbounded data
    /// (2D toys) with <paramref name="clip"/> false.</summary>
    public static SamplerResult Run(Func<Tensor, Tensor, Tensor> epsModel, LogSnrSchedule schedule, Tensor z1, int steps, Generator generator,
        SamplingObserver? observer = null, bool clip = true)
    {
        using var noGrad = no_grad();
        var clock = Stopwatch.StartNew();
        long n = z1.shape[0];
        var trajectory = new Dictionary<int, Tensor>();
        var z = z1.clone().DetachFromDisposeScope();
        for (int i = steps; i >= 1; i--)
        {
            if (observer?.ShouldRecord(i - 1) == true) trajectory[i - 1] = z.clone().DetachFromDisposeScope();
            using var scope = NewDisposeScope();
            var gammaT = schedule.Gamma(full([n], (float)i / steps, device: z.device));
            var gammaS = schedule.Gamma(full([n], (float)(i - 1) / steps, device: z.device));
            var gT = LogSnr.Broadcast(gammaT, z);
            var gS = LogSnr.Broadcast(gammaS, z);
            var mean = VdmPosterior.MeanFromEps(z, epsModel(z, gammaT), gS, gT);
            var next = mean + VdmPosterior.Variance(gS, gT).sqrt() * randn(z.shape, generator: generator, device: z.device);
            next.MoveToOuterDisposeScope();
            z.Dispose();
            z = next;
            observer?.Step(steps - i + 1, steps);
        }
        using (var scope = NewDisposeScope())
        {
            var gamma0 = schedule.Gamma(zeros([1], device: z.device));
            var x0 = z / LogSnr.Alpha(gamma0);
            var images = (clip ? x0.clamp(-1, 1) : x0).MoveToOuterDisposeScope();
            z.Dispose();
            return new SamplerResult(images, steps, clock.Elapsed.TotalSeconds, trajectory);
        }
    }

    public void Dispose() { }
}
