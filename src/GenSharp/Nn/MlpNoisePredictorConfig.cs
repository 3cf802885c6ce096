namespace GenSharp.Nn;

/// <summary>
/// The small noise predictor for low-dimensional (2D toy) data.
/// </summary>
/// <param name="DataDim">Dimension D of x.</param>
/// <param name="Hidden">Hidden width H.</param>
/// <param name="Layers">Number of residual blocks.</param>
/// <param name="TimeEmbedDim">Width of the sinusoidal time embedding (even).</param>
public sealed record MlpNoisePredictorConfig(int DataDim = 2, int Hidden = 128, int Layers = 3, int TimeEmbedDim = 64)
{
    public MlpNoisePredictorConfig Validate()
    {
        if (DataDim < 1) throw new ConfigException($"data dimension {DataDim}: must be at least 1");
        if (Hidden < 1) throw new ConfigException($"--hidden {Hidden}: must be at least 1");
        if (Layers < 1) throw new ConfigException($"--layers {Layers}: must be at least 1");
        Limits.Check("--hidden", Hidden, 1, Limits.MaxWidth);
        Limits.Check("--layers", Layers, 1, Limits.MaxDepth);
        if (TimeEmbedDim < 2 || TimeEmbedDim % 2 != 0) throw new ConfigException($"time embedding dim {TimeEmbedDim}: must be even and >= 2");
        return this;
    }
}
