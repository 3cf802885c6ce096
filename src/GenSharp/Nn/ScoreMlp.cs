using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// s_theta(x, sigma) for low-dimensional data, the ScoreNet of seed 004: the input [x / sqrt(s_data^2 +
/// sigma^2), log sigma] goes through (Layers - 1) blocks Linear -> BatchNorm1d -> LeakyReLU and a final
/// Linear to D; with <see cref="ScoreMlpConfig.ScaleBySigma"/> the output is divided by sigma (NCSNv2).
/// The last layer starts at zero (the untrained score is 0). Call it as a
/// <see cref="Score.NoiseConditionalScore"/>: <c>(x, sigma) =&gt; net.call(x, sigma)</c>; use
/// <c>eval()</c> for sampling (BatchNorm's running statistics).
/// </summary>
public sealed class ScoreMlp : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly double _dataVar;
    private readonly double _slope;
    private readonly bool _scaleBySigma;
    private readonly ModuleList<Linear> linears;
    private readonly ModuleList<BatchNorm1d> norms;
    private readonly Linear output;

    public ScoreMlp(ScoreMlpConfig config) : base(nameof(ScoreMlp))
    {
        Config = config.Validate();
        _dataVar = config.DataStd * config.DataStd;
        _slope = config.NegativeSlope;
        _scaleBySigma = config.ScaleBySigma;
        linears = new ModuleList<Linear>();
        norms = new ModuleList<BatchNorm1d>();
        for (int i = 0; i < config.Layers - 1; i++)
        {
            linears.Add(nn.Linear(i == 0 ? config.DataDim + 1 : config.Hidden, config.Hidden));
            norms.Add(nn.BatchNorm1d(config.Hidden));
        }
        output = nn.Linear(config.Hidden, config.DataDim);
        using (no_grad())
        {
            output.weight!.zero_();
            output.bias!.zero_();
        }
        RegisterComponents();
    }

    public ScoreMlpConfig Config { get; }

    /// <param name="x">(B, D) points</param>
    /// <param name="sigma">(B) noise levels, > 0</param>
    /// <returns>(B, D) the score estimate</returns>
    public override Tensor forward(Tensor x, Tensor sigma)
    {
        using var scope = NewDisposeScope();
        var s = sigma.reshape(-1, 1).to_type(x.dtype);                     // (B, 1)
        var cIn = (s.pow(2) + _dataVar).rsqrt();                            // 1 / sqrt(s_data^2 + sigma^2)
        var h = cat([x * cIn, s.log()], 1);                                 // (B, D + 1)
        for (int i = 0; i < linears.Count; i++)
            h = nn.functional.leaky_relu(norms[i].call(linears[i].call(h)), _slope); // (B, H)
        var f = output.call(h);                                             // (B, D)
        return (_scaleBySigma ? f / s : f).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { linears.Dispose(); norms.Dispose(); output.Dispose(); }
        base.Dispose(disposing);
    }
}
