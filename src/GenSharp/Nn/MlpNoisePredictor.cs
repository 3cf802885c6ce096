using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// eps_theta(x_t, t) for D-dimensional data: sinusoidal time embedding -> time MLP; input projection;
/// residual blocks conditioned on time; SiLU; output projection back to D. The output layer starts at
/// zero so that the untrained model predicts eps = 0 (loss 1), a stable start.
/// </summary>
public sealed class MlpNoisePredictor : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly int _timeEmbedDim;
    private readonly Sequential temb;
    private readonly Linear input;
    private readonly ModuleList<MlpResidualBlock> blocks;
    private readonly Linear output;

    public MlpNoisePredictor(MlpNoisePredictorConfig config) : base(nameof(MlpNoisePredictor))
    {
        Config = config.Validate();
        _timeEmbedDim = config.TimeEmbedDim;
        temb = nn.Sequential(nn.Linear(config.TimeEmbedDim, config.Hidden), nn.SiLU(), nn.Linear(config.Hidden, config.Hidden));
        input = nn.Linear(config.DataDim, config.Hidden);
        blocks = new ModuleList<MlpResidualBlock>();
        for (int i = 0; i < config.Layers; i++) blocks.Add(new MlpResidualBlock(config.Hidden, config.Hidden));
        output = nn.Linear(config.Hidden, config.DataDim);
        using (no_grad())
        {
            output.weight!.zero_();
            output.bias!.zero_();
        }
        RegisterComponents();
    }

    public MlpNoisePredictorConfig Config { get; }

    /// <param name="x">(B, D) noisy data x_t</param>
    /// <param name="t">(B) int64 timestep indices</param>
    /// <returns>(B, D) predicted noise</returns>
    public override Tensor forward(Tensor x, Tensor t)
    {
        using var scope = NewDisposeScope();
        var te = temb.call(SinusoidalTimeEmbedding.Embed(t, _timeEmbedDim)); // (B, H)
        var h = input.call(x);                                                // (B, H)
        foreach (var block in blocks) h = block.call(h, te);                  // (B, H)
        return output.call(nn.functional.silu(h)).MoveToOuterDisposeScope();   // (B, D)
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { temb.Dispose(); input.Dispose(); blocks.Dispose(); output.Dispose(); }
        base.Dispose(disposing);
    }
}
