namespace GenSharp.Data;

/// <summary>How pixel values are scaled.</summary>
public enum PixelRange
{
    /// <summary>[-1, 1]: diffusion, score models, GANs.</summary>
    MinusOneToOne,

    /// <summary>[0, 1]: Bernoulli VAEs.</summary>
    ZeroToOne,
}
