using static TorchSharp.torch;

namespace GenSharp.Diffusion;

/// <summary>
/// The variational bound of a batch, per image and per term, all in bits per dimension (float64 tensors,
/// owned by this object):
/// <see cref="BitsPerDim"/> = <see cref="Prior"/> (L_T) + sum_k Weights[k] * Terms[k] + <see cref="Decoder"/> (L_0).
/// Terms[k] is L_{t-1} for the timestep index <c>Timesteps[k]</c> (index i is the paper's step i+1, so
/// Terms[k] = KL(q(x_{i-1} | x_i, x_0) || p_theta(x_{i-1} | x_i)) in index notation); Weights are all 1
/// for the exact sum, the stratum sizes for a subset. <see cref="Exact"/> says which.
/// </summary>
public sealed class VariationalBoundResult(
    Tensor bitsPerDim, Tensor prior, Tensor decoder, Tensor terms, int[] timesteps, double[] weights, bool exact, double seconds)
    : IDisposable
{
    /// <summary>[B] the whole bound per image.</summary>
    public Tensor BitsPerDim { get; } = bitsPerDim;

    /// <summary>[B] L_T = KL(q(x_T | x_0) || N(0, I)).</summary>
    public Tensor Prior { get; } = prior;

    /// <summary>[B] L_0 = -log p_theta(x_0 | x_1), discretised Gaussian decoder.</summary>
    public Tensor Decoder { get; } = decoder;

    /// <summary>[K, B] the evaluated L_{t-1} terms, unweighted.</summary>
    public Tensor Terms { get; } = terms;

    /// <summary>The timestep index of each row of <see cref="Terms"/>, ascending.</summary>
    public int[] Timesteps { get; } = timesteps;

    /// <summary>The weight of each row in the sum (1 for the exact sum).</summary>
    public double[] Weights { get; } = weights;

    /// <summary>True when every term t = 2..T was evaluated.</summary>
    public bool Exact { get; } = exact;

    /// <summary>Wall time of the evaluation.</summary>
    public double Seconds { get; } = seconds;

    /// <summary>Batch mean of the bound in bits/dim.</summary>
    public double MeanBitsPerDim => BitsPerDim.mean().item<double>();

    /// <summary>Batch mean of each evaluated term (for a plot of L_t against t).</summary>
    public double[] MeanTerms => Terms.mean([1]).data<double>().ToArray();

    public void Dispose()
    {
        BitsPerDim.Dispose();
        Prior.Dispose();
        Decoder.Dispose();
        Terms.Dispose();
    }
}
