using GenSharp.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Vae;

public sealed class ElboTests
{
    [Fact]
    public void ClosedFormGaussianKlEqualsAMonteCarloEstimate()
    {
        using var scope = NewDisposeScope();
        var mu = tensor(new[] { 0.5, -1.2, 0.0, 2.0 }, dtype: ScalarType.Float64).reshape(1, 4);
        var logVar = tensor(new[] { -0.7, 0.4, 0.0, -2.0 }, dtype: ScalarType.Float64).reshape(1, 4);
        double closed = Elbo.GaussianKl(mu, logVar).item<double>();
        // 1/2 sum(mu^2 + sigma^2 - log sigma^2 - 1), by hand
        double hand = 0.5 * new[] { (0.5, -0.7), (-1.2, 0.4), (0.0, 0.0), (2.0, -2.0) }.Sum(p => p.Item1 * p.Item1 +
            Math.Exp(p.Item2) - p.Item2 - 1);
        Assert.Equal(hand, closed, 12);

        using var g = new Generator(5, CPU);
        int n = 400_000;
        var z = Elbo.Reparameterise(mu.expand(n, 4), logVar.expand(n, 4), g);
        var logQ = (-0.5 * (z - mu).pow(2) / logVar.exp() - 0.5 * logVar - 0.5 * Math.Log(2 * Math.PI)).sum(1);
        var logP = (-0.5 * z.pow(2) - 0.5 * Math.Log(2 * Math.PI)).sum(1);
        var diff = logQ - logP;
        double mc = diff.mean().item<double>(), se = diff.std().item<double>() / Math.Sqrt(n);
        Assert.True(Math.Abs(mc - closed) < 4 * se, $"Monte Carlo {mc} +- {se} vs closed form {closed}");
    }

    /// <summary>
    /// Linear-Gaussian model p(z) = N(0, I_2), p(x|z) = N(W z + b, s^2 I_3) with orthogonal columns of W:
    /// log p(x) = log N(x; b, W W^T + s^2 I) exactly, the posterior is N(S W^T (x - b) / s^2, S) with the
    /// diagonal S = (I + W^T W / s^2)^-1, and ELBO(q) = log p(x) - KL(q || posterior).
    /// </summary>
    [Fact]
    public void ElboIsAtMostTheExactLogLikelihoodOfALinearGaussianModelAndTouchesItAtThePosterior()
    {
        using var scope = NewDisposeScope();
        const double s = 0.7;
        var w = tensor(new[] { 1.0, 2.0, 1.0, -2.0, 0.0, 0.0 }, dtype: ScalarType.Float64).reshape(3, 2); // columns (1,1,0), (2,-2,0)
        var b = tensor(new[] { 0.5, -1.0, 2.0 }, dtype: ScalarType.Float64);
        var x = tensor(new[] { 1.5, 0.2, 1.1 }, dtype: ScalarType.Float64);
        var cov = w.matmul(w.T) + s * s * eye(3, dtype: ScalarType.Float64);
        var r = (x - b).unsqueeze(1);
        double logPx = (-0.5 * (r.T.matmul(linalg.solve(cov, r))).squeeze() - 0.5 * linalg.slogdet(cov).Item2
            - 1.5 * Math.Log(2 * Math.PI)).item<double>();

        var wtw = w.T.matmul(w).diagonal();                                      // diagonal: columns are orthogonal
        var postVar = 1 / (1 + wtw / (s * s));
        var postMean = postVar * w.T.matmul(x - b) / (s * s);

        using var g = new Generator(11, CPU);
        (double Elbo, double Se) Estimate(Tensor mu, Tensor logVar)
        {
            int n = 200_000;
            var z = Elbo.Reparameterise(mu.expand(n, 2), logVar.expand(n, 2), g);
            var recon = Elbo.GaussianLogLikelihood(z.matmul(w.T) + b, tensor(Math.Log(s), dtype: ScalarType.Float64), x.expand(n, 3));
            var elbo = recon - Elbo.GaussianKl(mu.unsqueeze(0), logVar.unsqueeze(0));
            return (elbo.mean().item<double>(), elbo.std().item<double>() / Math.Sqrt(n));
        }

        var (atPosterior, se0) = Estimate(postMean, postVar.log());
        Assert.True(Math.Abs(atPosterior - logPx) < 4 * se0 + 1e-9, $"ELBO at the exact posterior {atPosterior} +- {se0} vs log p(x) {logPx}");

        var qMean = tensor(new[] { 0.3, -0.4 }, dtype: ScalarType.Float64);
        var qLogVar = tensor(new[] { -1.0, 0.5 }, dtype: ScalarType.Float64);
        var (elboQ, se1) = Estimate(qMean, qLogVar);
        double klToPosterior = 0.5 * (qLogVar.exp() / postVar + (qMean - postMean).pow(2) / postVar - 1 +
            postVar.log() - qLogVar).sum().item<double>();
        Assert.True(elboQ < logPx, $"ELBO {elboQ} must not exceed log p(x) {logPx}");
        Assert.True(Math.Abs(logPx - elboQ - klToPosterior) < 4 * se1, $"gap {logPx - elboQ} vs KL(q || posterior) {klToPosterior} (+- {se1})");
    }

    [Fact]
    public void BernoulliLikelihoodIsMinusBinaryCrossEntropy()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new[] { 0.3f, -2f, 4f, 0f }).reshape(1, 1, 2, 2);
        var x = tensor(new[] { 1f, 0f, 0.25f, 0.5f }).reshape(1, 1, 2, 2);
        double expected = new[] { (0.3, 1.0), (-2.0, 0.0), (4.0, 0.25), (0.0, 0.5) }
            .Sum(p => p.Item2 * -Math.Log(1 + Math.Exp(-p.Item1)) + (1 - p.Item2) * -Math.Log(1 + Math.Exp(p.Item1)));
        Assert.Equal(expected, Elbo.BernoulliLogLikelihood(logits, x).item<float>(), 4);
    }
}
