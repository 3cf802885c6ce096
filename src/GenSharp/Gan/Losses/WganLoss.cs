using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Gan.Losses;

/// <summary>
/// WGAN with weight clipping (Arjovsky et al. 2017), the course's settings: the critic minimises
/// mean D(G(z)) - mean D(x), the generator minimises -mean D(G(z)); after every critic step each
/// critic weight is clipped to [-c, c] (c = 0.01) to keep D roughly Lipschitz. RMSProp lr 5e-5,
/// n_critic = 5, batch 64.
/// </summary>
public sealed class WganLoss : IGanLoss
{
    public WganLoss(double clip = 0.01)
    {
        if (!(clip > 0)) throw new ConfigException($"--clip {clip}: the weight-clipping bound c must be positive, e.g. 0.01");
        Clip = clip;
    }

    /// <summary>The clipping bound c.</summary>
    public double Clip { get; }

    public string Name => "wgan";
    public GanTrainingDefaults Defaults { get; } = new("rmsprop", 5e-5, 0, 0, NCritic: 5, Batch: 64);
    public bool IsCritic => true;

    public Tensor DiscriminatorLoss(Tensor dReal, Tensor dFake) => dFake.mean() - dReal.mean();

    public Tensor GeneratorLoss(Tensor dFake) => -dFake.mean();

    /// <summary>w &lt;- clamp(w, -c, c) for every critic parameter.</summary>
    public void AfterDiscriminatorStep(nn.Module discriminator)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var p in discriminator.parameters()) p.clamp_(-Clip, Clip);
    }
}
