namespace GenSharp.Pipelines;

/// <summary>Samplers a pipeline created and disposes together (e.g. <see cref="IImageFamily{TConfig, TNet}.CurveSamplers"/>).</summary>
internal sealed class OwnedSamplers(IReadOnlyList<IImageSampler> samplers) : IDisposable
{
    public IReadOnlyList<IImageSampler> All => samplers;

    public void Dispose()
    {
        foreach (var s in samplers) s.Dispose();
    }
}
