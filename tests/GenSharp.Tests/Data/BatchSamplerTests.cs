using GenSharp.Data;

namespace GenSharp.Tests.Data;

public sealed class BatchSamplerTests
{
    [Fact]
    public void EachEpochVisitsEveryIndexOnceAndAnyStepCanBeRecomputed()
    {
        using var s = new BatchSampler(count: 100, batchSize: 10, seed: 7);
        Assert.Equal(10, s.BatchesPerEpoch);
        var epoch0 = Enumerable.Range(0, 10).SelectMany(i => s.BatchIndices(i).data<long>().ToArray()).ToArray();
        var epoch1 = Enumerable.Range(10, 10).SelectMany(i => s.BatchIndices(i).data<long>().ToArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), epoch0.Order());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), epoch1.Order());
        Assert.NotEqual(epoch0, epoch1);

        // a fresh sampler (as after --resume) jumps straight to step 13 and sees the same batch
        using var resumed = new BatchSampler(100, 10, 7);
        Assert.Equal(s.BatchIndices(13).data<long>().ToArray(), resumed.BatchIndices(13).data<long>().ToArray());
        using var other = new BatchSampler(100, 10, 8);
        Assert.NotEqual(s.BatchIndices(0).data<long>().ToArray(), other.BatchIndices(0).data<long>().ToArray());
    }

    [Fact]
    public void BatchLargerThanTheDataIsRefused() =>
        Assert.StartsWith("--batch 20", Assert.Throws<ConfigException>(() => new BatchSampler(10, 20, 0)).Message);
}
