using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// eps_theta(x_t, t) for D-dimensional data: sinusoidal time embedding -> time MLP; input projection;
/// residual blocks conditioned on time; SiLU; output projection back to D. The output layer starts at
/// zero so that the untrained model predicts eps = 0 (loss 1), a stable start. A conditional predictor (<c>classes</c> K &gt; 0) adds a
/// learned label embedding (K + 1 rows, the last the null label) to the time embedding (docs/ddpm.md#classifier-free-guidance).
/// </summary>
public sealed class MlpNoisePredictor : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly int _timeEmbedDim;
    private readonly Sequential temb;
    private readonly Linear input;
    private readonly ModuleList<MlpResidualBlock> blocks;
    private readonly Linear output;
    private readonly Embedding? label_emb; // absent when unconditional (state dict unchanged)

    public MlpNoisePredictor(MlpNoisePredictorConfig config, int classes = 0) : base(nameof(MlpNoisePredictor))
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
        Classes = classes;
        if (classes > 0) label_emb = nn.Embedding(classes + 1, config.Hidden);
        RegisterComponents();
    }

    /// <summary>K, the number of real labels (0 when unconditional).</summary>
    public int Classes { get; }

    public MlpNoisePredictorConfig Config { get; }

    /// <param name="x">(B, D) noisy data x_t</param>
    /// <param name="t">(B) int64 timestep indices</param>
    /// <returns>(B, D) predicted noise</returns>
    public override Tensor forward(Tensor x, Tensor t) => Forward(x, t, null);

    /// <param name="y">(B) int64 labels 0..K (K = null label), or null: the null label (ignored when unconditional)</param>
    public Tensor Forward(Tensor x, Tensor t, Tensor? y)
    {
        using var scope = NewDisposeScope();
        var te = temb.call(SinusoidalTimeEmbedding.Embed(t, _timeEmbedDim)); // (B, H)
        if (label_emb is not null) te = te + label_emb.call(y ?? full([x.shape[0]], Classes, dtype: ScalarType.Int64, device: x.device));
        var h = input.call(x);                                                // (B, H)
        foreach (var block in blocks) h = block.call(h, te);                  // (B, H)
        return output.call(nn.functional.silu(h)).MoveToOuterDisposeScope();   // (B, D)
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { temb.Dispose(); input.Dispose(); blocks.Dispose(); output.Dispose(); label_emb?.Dispose(); }
        base.Dispose(disposing);
    }
}
