using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// Exponential moving average of a model's weights, kept in a second instance of the same network
/// (<see cref="Shadow"/>) so that it can be sampled from and checkpointed like any module:
/// <c>theta_ema &lt;- m * theta_ema + (1 - m) * theta</c> after every optimiser step. Buffers (e.g.
/// BatchNorm statistics) are copied, not averaged. Optional warm-up uses
/// <c>m_k = min(m, (1 + k) / (10 + k))</c> so that early EMA weights are not dominated by the random
/// initialisation.
/// </summary>
public sealed class Ema : IDisposable
{
    private readonly nn.Module _model;
    private readonly Parameter[] _modelParams;
    private readonly Parameter[] _shadowParams;
    private readonly Tensor[] _modelBuffers;
    private readonly Tensor[] _shadowBuffers;

    /// <param name="model">The network being trained.</param>
    /// <param name="shadow">A second instance of the same architecture; it is overwritten with the model's weights.</param>
    /// <param name="decay">The EMA decay m (0.999 / 0.9999 in the course).</param>
    /// <param name="warmup">Use the (1+k)/(10+k) warm-up of the decay.</param>
    public Ema(nn.Module model, nn.Module shadow, double decay, bool warmup = true)
    {
        if (!(decay >= 0 && decay < 1))
            throw new ConfigException($"ema decay {decay}: must be in [0, 1), e.g. 0.999");
        _model = model;
        Shadow = shadow;
        Decay = decay;
        Warmup = warmup;
        _modelParams = model.parameters().ToArray();
        _shadowParams = shadow.parameters().ToArray();
        _modelBuffers = model.buffers().ToArray();
        _shadowBuffers = shadow.buffers().ToArray();
        if (_modelParams.Length != _shadowParams.Length || _modelBuffers.Length != _shadowBuffers.Length)
            throw new ArgumentException("EMA shadow must have the same architecture as the model");
        foreach (var p in _shadowParams) p.requires_grad = false;
        CopyFromModel();
    }

    /// <summary>The averaged network, for sampling and checkpoints.</summary>
    public nn.Module Shadow { get; }

    /// <summary>The target decay m.</summary>
    public double Decay { get; }

    /// <summary>Whether the decay warm-up is used.</summary>
    public bool Warmup { get; }

    /// <summary>The decay used at update number <paramref name="updates"/> (0-based).</summary>
    public double DecayAt(long updates) => Warmup ? Math.Min(Decay, (1.0 + updates) / (10.0 + updates)) : Decay;

    /// <summary>Sets the shadow equal to the model.</summary>
    public void CopyFromModel()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < _shadowParams.Length; i++) _shadowParams[i].copy_(_modelParams[i]);
        for (int i = 0; i < _shadowBuffers.Length; i++) _shadowBuffers[i].copy_(_modelBuffers[i]);
    }

    /// <summary>One EMA update after optimiser step number <paramref name="updates"/> (0-based).</summary>
    public void Update(long updates)
    {
        double m = DecayAt(updates);
        using var scope = NewDisposeScope(); // in-place ops hand back new managed handles
        using var _ = no_grad();
        for (int i = 0; i < _shadowParams.Length; i++)
            _shadowParams[i].lerp_(_modelParams[i], 1.0 - m); // shadow += (1 - m) * (param - shadow)
        for (int i = 0; i < _shadowBuffers.Length; i++) _shadowBuffers[i].copy_(_modelBuffers[i]);
    }

    public void Dispose() => Shadow.Dispose();
}
