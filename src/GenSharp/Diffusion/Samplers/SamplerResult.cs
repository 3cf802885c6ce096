using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// What a sampler returns: the samples (owned by the caller), the number of network evaluations,
/// the wall time and, when asked for, x_t at chosen timestep indices (also owned by the caller). A conditional sampler also returns
/// the class each sample was drawn for (<paramref name="Labels"/>, int64 (N), owned by the caller; null when unconditional).
/// </summary>
public sealed record SamplerResult(Tensor Samples, int FunctionEvaluations, double Seconds, IReadOnlyDictionary<int, Tensor> Trajectory,
    Tensor? Labels = null);
