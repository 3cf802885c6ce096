using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Score.Losses;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Images;

/// <summary>
/// Denoising score matching over the noise levels (docs/score-models.md#dsm): one level i ~ U{1..L} per example, weight lambda(sigma) = sigma^2,
/// 1/2 E || sigma s_theta(x + sigma z, sigma) + z ||^2 on pixels in [0, 1].
/// </summary>
public sealed class NcsnImageLoss(ImageNcsnConfig config, UNetScoreNetwork model, Device device) : IImageLoss
{
    private readonly double[] _sigmas = config.Noise.Sigmas();
    private readonly Tensor _sigmaTable = tensor(config.Noise.Sigmas(), dtype: ScalarType.Float32, device: device);
    private readonly DenoisingScoreMatching _dsm = new();

    public MixedPrecision? MixedPrecision => null;

    public Tensor Loss(Tensor x, Generator rng)
    {
        var level = randint(0, _sigmas.Length, [x.shape[0]], generator: rng, device: x.device);    // i ~ U{1..L} per example
        var sigma = _sigmaTable.index_select(0, level);                                               // (B)
        return _dsm.Loss((xt, s) => model.call(xt, s), x, sigma, rng);                                // 1/2 E || sigma s + z ||^2
    }

    public void Dispose() => _sigmaTable.Dispose();
}
