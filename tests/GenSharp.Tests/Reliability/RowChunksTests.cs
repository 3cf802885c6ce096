using GenSharp.Nn;
using static TorchSharp.torch;

namespace GenSharp.Tests.Reliability;

/// <summary>Item 5: large toy sample counts run the network a block of rows at a time, with the same result.</summary>
public sealed class RowChunksTests
{
    [Fact]
    public void BlocksGiveTheSameOutputAsOneCallAndTheNetworkSeesOnlyBlockSizedInputs()
    {
        using var model = new MlpNoisePredictor(new MlpNoisePredictorConfig(Hidden: 16, Layers: 1));
        model.eval();
        using var noGrad = no_grad();
        using var x = randn(1000, 2, generator: new Generator(1));
        using var t = randint(0, 100, [1000], generator: new Generator(2));
        long largest = 0;
        Tensor Call(Tensor a, Tensor b)
        {
            largest = Math.Max(largest, a.shape[0]);
            return model.call(a, b);
        }
        using var whole = model.call(x, t);
        using var chunked = RowChunks.Apply(Call, x, t, rows: 128);
        Assert.Equal(128, largest);
        Assert.True(allclose(whole, chunked, rtol: 1e-5, atol: 1e-6), "chunked output differs");
        Assert.Equal(whole.shape, chunked.shape);
    }
}
