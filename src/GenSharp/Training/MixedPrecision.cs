using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// Mixed-precision training by hand (TorchSharp has no autocast): the optimiser owns fp32 <em>master</em>
/// parameters (the model that is checkpointed, averaged by the EMA and sampled from), and a second
/// instance of the same architecture, the <em>working</em> copy, holds them in a low-precision type
/// (bfloat16) and runs forward and backward. One step:
///   1. <see cref="CopyWeightsToWorking"/>:     w_bf16 &lt;- bf16(theta_fp32)          (no_grad, copy_ casts)
///   2. forward on <see cref="Working"/> with inputs cast by <see cref="ToWorking"/>;
///      the loss is computed in fp32 (cast the network output with <see cref="ToMaster"/>)
///   3. backward                                   g_bf16 = dL/dw_bf16
///   4. <see cref="CopyGradientsToMaster"/>:    grad(theta_fp32) &lt;- fp32(g_bf16); the working grads are dropped
///   5. gradient clipping and the optimiser step on the fp32 masters, as in fp32 training.
/// bfloat16 has float32's exponent range, so no loss scaling is needed (unlike float16). Floating-point
/// buffers are copied (and cast) with the weights; integer buffers are copied as they are.
/// </summary>
public sealed class MixedPrecision : IDisposable
{
    private readonly Parameter[] _masterParams;
    private readonly Parameter[] _workingParams;
    private readonly Tensor[] _masterBuffers;
    private readonly Tensor[] _workingBuffers;

    /// <param name="master">The fp32 network the optimiser updates.</param>
    /// <param name="working">A second instance of the same architecture; it is cast to <paramref name="dtype"/> and owned (disposed) by this
    /// object.</param>
    /// <param name="dtype">The working type; <see cref="TrainingPrecision.Bf16"/> maps to <see cref="ScalarType.BFloat16"/>.</param>
    public MixedPrecision(nn.Module master, nn.Module working, ScalarType dtype = ScalarType.BFloat16)
    {
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"mixed precision needs a floating-point working type, not {dtype}");
        working.to(dtype);
        working.train();
        Working = working;
        WorkingType = dtype;
        _masterParams = master.parameters().ToArray();
        _workingParams = working.parameters().ToArray();
        _masterBuffers = master.buffers().ToArray();
        _workingBuffers = working.buffers().ToArray();
        if (_masterParams.Length != _workingParams.Length || _masterBuffers.Length != _workingBuffers.Length
            || _masterParams.Zip(_workingParams).Any(p => !p.First.shape.SequenceEqual(p.Second.shape)))
            throw new ArgumentException("the working copy must have the same architecture as the master model");
        CopyWeightsToWorking();
    }

    /// <summary>The low-precision copy that runs forward and backward.</summary>
    public nn.Module Working { get; }

    /// <summary>The type of <see cref="Working"/>'s floating-point weights.</summary>
    public ScalarType WorkingType { get; }

    /// <summary>Step 1: the working weights (and buffers) become the masters', rounded to <see cref="WorkingType"/>.</summary>
    public void CopyWeightsToWorking()
    {
        using var scope = NewDisposeScope(); // in-place ops hand back new managed handles
        using var _ = no_grad();
        for (int i = 0; i < _workingParams.Length; i++) _workingParams[i].copy_(_masterParams[i]);
        for (int i = 0; i < _workingBuffers.Length; i++) _workingBuffers[i].copy_(_masterBuffers[i]);
    }

    /// <summary>Casts a floating-point network input to the working type (integer inputs such as timesteps pass unchanged).</summary>
    public Tensor ToWorking(Tensor x) => is_floating_point(x) ? x.to_type(WorkingType) : x.alias();

    /// <summary>Casts a network output to float32, where the loss is computed.</summary>
    public static Tensor ToMaster(Tensor y) => y.to_type(ScalarType.Float32);

    /// <summary>
    /// Step 4: the masters' gradients become the working gradients cast to fp32 (a master whose working
    /// parameter got no gradient keeps none); the working gradients are released so that the next backward
    /// starts from nothing. Runs after <c>backward</c>, before clipping and the optimiser step.
    /// </summary>
    public void CopyGradientsToMaster()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < _workingParams.Length; i++)
        {
            var g = _workingParams[i].grad;
            if (g is null) continue;
            var master = _masterParams[i];
            var mg = master.grad;
            if (mg is null) master.grad = g.to_type(master.dtype);
            else mg.copy_(g); // zero_grad() kept a zero tensor: overwrite it (the working grad is the whole step's)
            _workingParams[i].grad = null;
        }
    }

    public void Dispose() => Working.Dispose();
}

/// <summary>The arithmetic a training step runs in: <c>fp32</c> (default) or <c>bf16</c> (mixed precision, fp32 masters).</summary>
public static class TrainingPrecision
{
    public const string Fp32 = "fp32";
    public const string Bf16 = "bf16";

    /// <summary>Checks a precision name; the error names the option.</summary>
    public static string Validate(string precision, string option = "--precision") =>
        precision is Fp32 or Bf16
            ? precision
            : throw new ConfigException($"{option} {precision}: use fp32 or bf16 (bfloat16 mixed precision with fp32 master weights)");
}
