using static TorchSharp.torch;

namespace GenSharp.Data.Toy;

/// <summary>
/// A 2D distribution with exact log-density and exact score, used as ground truth (docs/data.md#toy-distributions).
/// </summary>
public interface IToyDistribution
{
    /// <summary>Registry name or file name.</summary>
    string Name { get; }

    /// <summary>Always 2 for the toys.</summary>
    int Dimension { get; }

    /// <summary>n samples, float32 (n, 2), drawn with <paramref name="generator"/>.</summary>
    Tensor Sample(long n, Generator generator, Device? device = null);

    /// <summary>log p(x) for x (n, 2); float64 (n).</summary>
    Tensor LogProb(Tensor x);

    /// <summary>grad_x log p(x) for x (n, 2), in x's dtype.</summary>
    Tensor Score(Tensor x);
}
