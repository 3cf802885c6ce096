using GenSharp.Training;

namespace GenSharp.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void WarmupRisesLinearlyThenCosineReachesMinimumAtTheEnd()
    {
        var s = new LearningRateSchedule(BaseLr: 1e-3, TotalSteps: 1000, WarmupSteps: 100, Decay: "cosine", MinLr: 1e-5).Validate();
        Assert.Equal(1e-5, s.At(0), 12);             // (0 + 1) / 100 * 1e-3
        Assert.Equal(5e-4, s.At(49), 12);
        Assert.Equal(1e-3, s.At(100), 12);           // warm-up done, cosine at progress 0
        Assert.Equal(1e-5 + 0.5 * (1e-3 - 1e-5), s.At(550), 12); // half-way through the decay
        Assert.Equal(1e-5, s.At(1000), 12);
    }

    [Fact]
    public void ConstantScheduleIsConstantAfterWarmup()
    {
        var s = new LearningRateSchedule(2e-4, 50).Validate();
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(2e-4, s.At(i)));
    }

    [Fact]
    public void JsonRoundTripPreservesEveryField()
    {
        var s = new LearningRateSchedule(3e-4, 777, 12, "cosine", 1e-6);
        Assert.Equal(s, LearningRateSchedule.FromJson(s.ToJson()));
    }

    [Theory]
    [InlineData(0.0, 10, 0, "constant", "--lr")]
    [InlineData(1e-3, 0, 0, "constant", "--steps")]
    [InlineData(1e-3, 10, 11, "constant", "--warmup")]
    [InlineData(1e-3, 10, 0, "linear-ish", "--lr-decay")]
    public void InvalidValuesNameTheFlag(double lr, long steps, long warmup, string decay, string flag)
    {
        var e = Assert.Throws<ConfigException>(() => new LearningRateSchedule(lr, steps, warmup, decay).Validate());
        Assert.StartsWith(flag, e.Message);
    }
}
