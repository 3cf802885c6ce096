using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vae;

/// <summary>
/// The evidence lower bound (SPEC §6), per example, in nats:
/// ELBO(x) = E_q(z|x)[log p(x|z)] - KL(q(z|x) || p(z)),  q = N(mu, diag sigma^2), p(z) = N(0, I),
/// with the reparameterisation z = mu + sigma * eps, eps ~ N(0, I) (one sample per example), and the
/// closed-form KL = 1/2 sum(mu^2 + sigma^2 - log sigma^2 - 1). Pixels are scored in [0, 1].
/// </summary>
public static class Elbo
{
    /// <summary>ELBO and its two terms, each (B).</summary>
    public sealed record Terms(Tensor Elbo, Tensor Reconstruction, Tensor Kl);

    /// <summary>z = mu + exp(logvar / 2) * eps.</summary>
    public static Tensor Reparameterise(Tensor mu, Tensor logVar, Generator g) =>
        mu + (0.5 * logVar).exp() * randn(mu.shape, generator: g, device: mu.device, dtype: mu.dtype);

    /// <summary>KL(N(mu, diag exp(logvar)) || N(0, I)) per example: 1/2 sum(mu^2 + sigma^2 - log sigma^2 - 1).</summary>
    public static Tensor GaussianKl(Tensor mu, Tensor logVar)
    {
        using var scope = NewDisposeScope();
        return (0.5 * (mu.pow(2) + logVar.exp() - logVar - 1)).flatten(1).sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>log p(x|z) = sum_i [x_i log sigmoid(a_i) + (1 - x_i) log sigmoid(-a_i)] for x in [0, 1], per example.</summary>
    public static Tensor BernoulliLogLikelihood(Tensor logits, Tensor x01)
    {
        using var scope = NewDisposeScope();
        return (-nn.functional.binary_cross_entropy_with_logits(logits, x01, reduction: nn.Reduction.None))
            .flatten(1).sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>log N(x; mean, sigma^2 I) summed over pixels, per example.</summary>
    public static Tensor GaussianLogLikelihood(Tensor mean, Tensor logSigma, Tensor x)
    {
        using var scope = NewDisposeScope();
        var ll = -0.5 * Math.Log(2 * Math.PI) - logSigma - (x - mean).pow(2) / (2 * (2 * logSigma).exp());
        return ll.flatten(1).sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>One-sample ELBO estimate of images <paramref name="x"/> (B, 1, 28, 28) in [-1, 1].</summary>
    public static Terms Compute(VariationalAutoencoder vae, Tensor x, Generator g, double klWeight = 1.0)
    {
        using var scope = NewDisposeScope();
        var x01 = (x + 1) / 2;
        var (mu, logVar) = vae.Encoder.call(x);
        var z = Reparameterise(mu, logVar, g);
        var logits = vae.Decoder.call(z);
        var recon = vae.Config.Likelihood == "bernoulli"
            ? BernoulliLogLikelihood(logits, x01)
            : GaussianLogLikelihood(logits.sigmoid(), vae.Decoder.LogSigma, x01);
        var kl = GaussianKl(mu, logVar);
        var elbo = recon - klWeight * kl;
        return new Terms(elbo.MoveToOuterDisposeScope(), recon.MoveToOuterDisposeScope(), kl.MoveToOuterDisposeScope());
    }
}
