using GenSharp.Data;
using static TorchSharp.torch;

namespace GenSharp.Tests.Data;

public sealed class FashionMnistTests
{
    [Trait("Category", "Slow")]
    [Fact]
    public void RealFilesHaveTheDocumentedShapesClassCountsAndRange()
    {
        Assert.True(FashionMnist.IsAvailable(),
            "Fashion-MNIST must be installed for the tests (apt-get install -y dataset-fashion-mnist; ./test.sh does it)");
        using var train = FashionMnist.Load(FashionMnistSplit.Train);
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        Assert.Equal(new long[] { 60000, 1, 28, 28 }, train.Images.shape);
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, test.Images.shape);
        Assert.All(bincount(train.Labels!, minlength: 10).data<long>().ToArray(), c => Assert.Equal(6000, c));
        Assert.All(bincount(test.Labels!, minlength: 10).data<long>().ToArray(), c => Assert.Equal(1000, c));
        Assert.Equal(-1f, train.Images.min().item<float>());
        Assert.Equal(1f, train.Images.max().item<float>());
        Assert.Equal("Ankle boot", train.ClassNames[9]);
        Assert.Equal(64, train.ContentHash.Length);

        using var zeroOne = FashionMnist.Load(FashionMnistSplit.Test, range: PixelRange.ZeroToOne, limit: 100);
        Assert.Equal(100, zeroOne.Count);
        Assert.True(allclose(zeroOne.Images * 2 - 1, test.Images[..100]));
    }

    [Fact]
    public void AMissingFolderSaysHowToInstall()
    {
        string dir = TestTemp.Directory("gensharp-fm").FullName;
        Assert.False(FashionMnist.IsAvailable(dir));
        var e = Assert.Throws<DataFileException>(() => FashionMnist.Load(FashionMnistSplit.Train, dir));
        Assert.Contains("apt-get install -y dataset-fashion-mnist", e.Message);
        Assert.Contains(dir, e.Message);
    }
}
