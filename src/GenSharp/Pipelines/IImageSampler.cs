using GenSharp.Diffusion.Samplers;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>
/// How a family draws images from its (EMA) network: one call makes one batch; <see cref="BatchedSampling"/> makes any n from
/// such calls with bounded memory. Like a diffusers pipeline's <c>__call__</c>, without the loop over batches.
/// </summary>
public interface IImageSampler : IDisposable
{
    /// <summary>A short name used in file names, logs and eval.json, e.g. <c>ddim-50-eta0</c> or <c>langevin-L101-T5</c>.</summary>
    string Label { get; }

    /// <summary>Network evaluations per sample.</summary>
    int FunctionEvaluations { get; }

    /// <summary>The sampler's settings as written to eval.json under <c>sampler</c>.</summary>
    object Settings { get; }

    /// <summary>
    /// <paramref name="n"/> images (N, C, H, W) in GenSharp's image range [-1, 1], drawing every random number from
    /// <paramref name="generator"/>; the observer's recorded states stay in the family's own data space.
    /// </summary>
    SamplerResult Sample(int n, Generator generator, SamplingObserver observer);

    /// <summary>
    /// The <c>labels.csv</c> column of a conditional draw's labels (<see cref="SamplerResult.Labels"/>): <c>label</c> and each class index,
    /// or for a text-conditional sampler <c>text</c> and each requested string.
    /// </summary>
    (string Header, string[] Values) LabelColumn(Tensor labels) => ClassColumn(labels);

    /// <summary>The <c>label</c> column: each class index.</summary>
    static (string Header, string[] Values) ClassColumn(Tensor labels) =>
        ("label", labels.cpu().to_type(ScalarType.Int64).data<long>().ToArray()
            .Select(y => y.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
}
