namespace GenSharp.Nn;

/// <summary>
/// The 2D noise-conditional ScoreNet of seed 004 (SPEC §4): input x and sigma, 256 hidden units, 6 linear
/// layers, BatchNorm and LeakyReLU.
/// </summary>
/// <param name="DataDim">Dimension D of x.</param>
/// <param name="Hidden">Hidden width.</param>
/// <param name="Layers">Linear layers in total (the first maps [x, log sigma] to Hidden, the last Hidden to D).</param>
/// <param name="NegativeSlope">LeakyReLU slope for negative inputs.</param>
/// <param name="DataStd">
/// Typical scale of the clean data; the input is preconditioned as x / sqrt(DataStd^2 + sigma^2), which
/// keeps it of order 1 at every noise level (so one BatchNorm serves all levels).
/// </param>
/// <param name="ScaleBySigma">NCSNv2 technique 3: s(x, sigma) = f(x, sigma) / sigma, so f's target (-z) has unit scale at every level.</param>
public sealed record ScoreMlpConfig(
    int DataDim = 2, int Hidden = 256, int Layers = 6, double NegativeSlope = 0.01, double DataStd = 1.0, bool ScaleBySigma = true)
{
    public ScoreMlpConfig Validate()
    {
        if (DataDim < 1) throw new ConfigException($"data dimension {DataDim}: must be at least 1");
        if (Hidden < 1) throw new ConfigException($"--hidden {Hidden}: must be at least 1");
        if (Layers < 2) throw new ConfigException($"--layers {Layers}: must be at least 2 (input and output layers)");
        if (!(NegativeSlope >= 0 && NegativeSlope < 1)) throw new ConfigException($"LeakyReLU slope {NegativeSlope}: must be in [0, 1)");
        if (!(DataStd >= 0) || !double.IsFinite(DataStd)) throw new ConfigException($"data std {DataStd}: must be >= 0");
        return this;
    }
}
