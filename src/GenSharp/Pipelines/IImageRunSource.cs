using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>
/// An image run's recipe as the commands that treat every image family alike see it (sharded evaluation, <c>compare</c>): its
/// sampler on the EMA weights of the latest checkpoint, and the data its samples are scored against (docs/scale-out.md).
/// </summary>
public interface IImageRunSource
{
    /// <summary>Opens <paramref name="run"/> for sampling with its own sampler or the one <paramref name="choice"/> asks for.</summary>
    ImageRunHandle Open(RunDirectory run, SamplingChoice? choice, Device device);
}

/// <summary>
/// An opened image run: its sampler, the block size its draws use (<see cref="BatchedSampling"/>), the data it is scored against
/// (<c>--data</c> form and held-out split, as in config.json) and the parameter count of its sampling network. A conditional sampler
/// returns the class each sample was drawn for (<see cref="Diffusion.Samplers.SamplerResult.Labels"/>); <c>compare</c> reports the
/// feature classifier's agreement with them (<c>conditional_accuracy</c>, docs/evaluation.md#compare).
/// </summary>
public sealed record ImageRunHandle(IImageSampler Sampler, string Data, Data.HeldOutSplit? HeldOut, int Batch, long Parameters,
    IDisposable Owner) : IDisposable
{
    /// <summary>The number of elements of a module's parameters.</summary>
    public static long CountParameters(nn.Module module) => module.parameters().Sum(p => p.numel());

    public void Dispose()
    {
        Sampler.Dispose();
        Owner.Dispose();
    }
}
