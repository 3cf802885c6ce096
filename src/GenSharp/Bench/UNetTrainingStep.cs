using GenSharp.Diffusion;
using GenSharp.Nn;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Bench;

/// <summary>
/// One full DDPM training step on the U-Net, exactly as the PyTorch peer <c>ddpm_step.py</c> does it:
/// a fixed batch x_0 ~ U(-1, 1); t ~ U{0..T-1}; eps ~ N(0, I); x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps
/// (linear betas 1e-4..0.02, T = 1000); L_simple = MSE(eps_theta(x_t, t), eps); gradients set to none;
/// backward; AdamW (lr 2e-4 and PyTorch's default weight decay 0.01).
/// With <see cref="TrainingPrecision.Bf16"/> the forward and backward run on a bfloat16 copy of the U-Net
/// (<see cref="MixedPrecision"/>): weights copied in before, gradients copied out to the fp32 masters after,
/// the loss in fp32; both copies are inside the timed step.
/// </summary>
internal sealed class UNetTrainingStep : IDisposable
{
    private readonly GaussianDiffusion _diffusion;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _x0;
    private readonly Generator _generator;
    private readonly IReadOnlyList<TorchSharp.Modules.Parameter> _parameters;
    private readonly MixedPrecision? _mixed;
    private readonly UNet? _working;

    public UNetTrainingStep(UNetConfig config, int batch, Device device, long seed = 0, string precision = TrainingPrecision.Fp32)
    {
        if (batch < 1) throw new ConfigException($"--batch {batch}: must be at least 1");
        Precision = TrainingPrecision.Validate(precision);
        manual_seed(seed);
        Model = new UNet(config);
        Model.to(device);
        Model.train();
        if (precision == TrainingPrecision.Bf16)
        {
            _working = new UNet(config);
            _working.to(device);
            _mixed = new MixedPrecision(Model, _working);
        }
        _parameters = Model.parameters().ToArray();
        _diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(), device));
        _optimizer = new FusedAdamW(_parameters, lr: 2e-4, weight_decay: 0.01);
        _generator = new Generator((ulong)seed, device);
        _x0 = (rand([batch, config.InChannels, config.Height, config.Width], device: device, generator: _generator) * 2 - 1)
            .DetachFromDisposeScope();
        Batch = batch;
    }

    /// <summary>The fp32 network the optimiser updates (the masters when <see cref="Precision"/> is bf16).</summary>
    public UNet Model { get; }
    public int Batch { get; }

    /// <summary><c>fp32</c> or <c>bf16</c>.</summary>
    public string Precision { get; }

    /// <summary>The bfloat16 working copy (null in fp32).</summary>
    public UNet? Working => _working;

    /// <summary>Runs one step and returns the loss (the only value copied back to the host, which also synchronises).</summary>
    public float Run()
    {
        using var scope = NewDisposeScope();
        _mixed?.CopyWeightsToWorking();
        var loss = _working is null
            ? _diffusion.LossSimple((x, t) => Model.call(x, t), _x0, _generator)
            : _diffusion.LossSimple((x, t) => MixedPrecision.ToMaster(_working.call(_mixed!.ToWorking(x), t)), _x0, _generator);
        foreach (var p in _parameters) p.grad = null; // zero_grad(set_to_none=True)
        loss.backward();
        _mixed?.CopyGradientsToMaster();
        _optimizer.step();
        return loss.item<float>();
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _mixed?.Dispose(); // disposes the working copy
        Model.Dispose();
        _diffusion.Dispose();
        _x0.Dispose();
        _generator.Dispose();
    }
}
