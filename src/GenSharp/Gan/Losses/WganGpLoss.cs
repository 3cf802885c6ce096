using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Gan.Losses;

/// <summary>
/// WGAN-GP (Gulrajani et al. 2017): the WGAN critic loss plus the gradient penalty
/// lambda * E[(||grad_x D(x_hat)||_2 - 1)^2] at x_hat = eps x + (1 - eps) G(z), eps ~ U[0, 1] per sample,
/// lambda = 10. Adam lr 1e-4, betas (0, 0.9), n_critic = 5 (the paper's settings).
/// The penalty is differentiated through (create_graph) so the critic's update sees it.
/// </summary>
public sealed class WganGpLoss : IGanLoss
{
    public WganGpLoss(double lambda = 10)
    {
        if (!(lambda >= 0)) throw new ConfigException($"--gp-lambda {lambda}: must be >= 0, e.g. 10");
        Lambda = lambda;
    }

    /// <summary>The penalty weight lambda.</summary>
    public double Lambda { get; }

    public string Name => "wgan-gp";
    public GanTrainingDefaults Defaults { get; } = new("adam", 1e-4, 0.0, 0.9, NCritic: 5, Batch: 64);
    public bool IsCritic => true;

    public Tensor DiscriminatorLoss(Tensor dReal, Tensor dFake) => dFake.mean() - dReal.mean();

    public Tensor GeneratorLoss(Tensor dFake) => -dFake.mean();

    public Tensor? Penalty(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, Generator g) =>
        Lambda * GradientPenalty(critic, real, fake, g);

    /// <summary>E[(||grad D(x_hat)||_2 - 1)^2] over the batch (without lambda) at random interpolates x_hat, differentiable.</summary>
    public static Tensor GradientPenalty(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, Generator g)
    {
        using var scope = NewDisposeScope();
        var shape = new long[real.dim()];
        shape[0] = real.shape[0];
        for (int i = 1; i < shape.Length; i++) shape[i] = 1;
        var eps = rand(shape, generator: g, device: real.device, dtype: real.dtype);
        var xHat = eps * real.detach() + (1 - eps) * fake.detach();
        return GradientPenaltyAt(critic, xHat).MoveToOuterDisposeScope();
    }

    /// <summary>E[(||grad D(x_hat)||_2 - 1)^2] at given points x_hat (B, ...), differentiable in the critic's parameters.</summary>
    public static Tensor GradientPenaltyAt(Func<Tensor, Tensor> critic, Tensor points)
    {
        using var scope = NewDisposeScope();
        var xHat = points.detach().requires_grad_(true);
        var d = critic(xHat);
        var grad = autograd.grad([d.sum()], [xHat], retain_graph: true, create_graph: true)[0];   // (B, ...)
        var norm = grad.flatten(1).pow(2).sum(1).add(1e-12).sqrt();                              // (B)
        return (norm - 1).pow(2).mean().MoveToOuterDisposeScope();
    }
}
