using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;

namespace GenSharp.Tests.Diffusion.Samplers;

public sealed class TimestepTableTests
{
    // T = 1000, K = 10: Table 2 of Lin et al. 2023 (diffusers' DDIMScheduler.set_timesteps).
    [Theory]
    [InlineData("linspace", 0, new[] { 999, 888, 777, 666, 555, 444, 333, 222, 111, 0 })]
    [InlineData("leading", 0, new[] { 900, 800, 700, 600, 500, 400, 300, 200, 100, 0 })]
    [InlineData("leading", 1, new[] { 901, 801, 701, 601, 501, 401, 301, 201, 101, 1 })]
    [InlineData("trailing", 0, new[] { 999, 899, 799, 699, 599, 499, 399, 299, 199, 99 })]
    public void TenOfAThousandStepsMatchDiffusers(string spacing, int offset, int[] expected)
    {
        var table = TimestepTable.Create(1000, 10, spacing, offset);
        Assert.Equal(expected, table.Timesteps);
        Assert.Equal([.. expected.Skip(1), -1], table.Previous);
    }

    [Fact]
    public void TrailingThirteenMatchesTheTableOfDiffusersIssue9261()
    {
        // set_timesteps(13) with trailing spacing, quoted in huggingface/diffusers#9261
        Assert.Equal([999, 922, 845, 768, 691, 614, 537, 461, 384, 307, 230, 153, 76], TimestepTable.Create(1000, 13, "trailing").Timesteps);
        // each step lands on the table's next entry (999 -> 922, not 999 - 1000 // 13 = 923)
        var t = TimestepTable.Create(1000, 13, "trailing");
        Assert.Equal(922, t.Previous[0]);
        Assert.Equal(-1, t.Previous[12]);
    }

    [Fact]
    public void LinspaceAndLeadingFiftyMatchDiffusersIssue2585()
    {
        var linspace = TimestepTable.Create(1000, 50, "linspace").Timesteps;
        Assert.Equal([999, 979, 958, 938, 917, 897, 877, 856, 836, 816, 795], linspace.Take(11));
        Assert.Equal([61, 41, 20, 0], linspace.TakeLast(4));
        var leading = TimestepTable.Create(1000, 50, "leading", stepsOffset: 1).Timesteps;
        Assert.Equal(981, leading[0]);
        Assert.Equal(961, leading[1]);
        Assert.Equal(1, leading[^1]);
    }

    // T = 10, K = 4 by hand: linspace i*9/3 = 0,3,6,9; leading i*(10//4) = 0,2,4,6;
    // trailing round(10 - 2.5 i) - 1 with numpy's half-to-even: 10, 7.5 -> 8, 5, 2.5 -> 2, minus 1.
    [Theory]
    [InlineData("linspace", new[] { 9, 6, 3, 0 })]
    [InlineData("leading", new[] { 6, 4, 2, 0 })]
    [InlineData("trailing", new[] { 9, 7, 4, 1 })]
    public void SmallTablesByHand(string spacing, int[] expected) =>
        Assert.Equal(expected, TimestepTable.Create(10, 4, spacing).Timesteps);

    [Fact]
    public void TrailingThreeOfAThousandHasThreeSteps()
    {
        // np.arange(1000, 0, -1000/3) can yield a 4th element (~1e-13) and then index -1; the exact version cannot.
        Assert.Equal([999, 666, 332], TimestepTable.Create(1000, 3, "trailing").Timesteps);
    }

    [Theory]
    [InlineData("linspace")]
    [InlineData("leading")]
    [InlineData("trailing")]
    public void AllStepsGiveTheFullTableAndOneStepIsWellDefined(string spacing)
    {
        var full = TimestepTable.Create(25, 25, spacing);
        Assert.Equal(Enumerable.Range(0, 25).Reverse(), full.Timesteps);
        Assert.Equal(Enumerable.Range(-1, 25).Reverse(), full.Previous);
        var one = TimestepTable.Create(25, 1, spacing);
        Assert.Equal(spacing == "trailing" ? 24 : 0, Assert.Single(one.Timesteps));
        Assert.Equal(-1, Assert.Single(one.Previous));
    }

    [Fact]
    public void EveryTableIsStrictlyDescendingWithinRange()
    {
        foreach (int T in new[] { 1, 2, 7, 100, 1000 })
            foreach (string spacing in TimestepTable.Spacings)
                for (int K = 1; K <= Math.Min(T, 120); K++)
                {
                    using var schedule = new NoiseSchedule(new NoiseScheduleConfig(Timesteps: T));   // logsnr places steps by its lambdas
                    var t = TimestepTable.Create(T, K, spacing, alphaBars: schedule.AlphaBars);
                    Assert.Equal(K, t.Steps);
                    Assert.InRange(t.Timesteps[0], 0, T - 1);
                    Assert.InRange(t.Timesteps[^1], 0, T - 1);
                    for (int i = 1; i < K; i++) Assert.True(t.Timesteps[i] < t.Timesteps[i - 1], $"{spacing} T={T} K={K}");
                    if (spacing == "trailing") Assert.Equal(T - 1, t.Timesteps[0]);
                    if (spacing == "linspace" && K > 1) Assert.Equal(T - 1, t.Timesteps[0]);
                }
    }

    [Theory]
    [InlineData(0, "trailing", 0, "--steps 0")]
    [InlineData(1001, "trailing", 0, "--steps 1001")]
    [InlineData(10, "cosine", 0, "--spacing cosine")]
    [InlineData(1000, "leading", 1, "first step would be t = 1000")]
    [InlineData(10, "trailing", 1, "only the 'leading' spacing")]
    [InlineData(10, "leading", -1, "--steps-offset -1")]
    public void BadRequestsAreClearConfigErrors(int steps, string spacing, int offset, string message)
    {
        var e = Assert.Throws<ConfigException>(() => TimestepTable.Create(1000, steps, spacing, offset));
        Assert.Contains(message, e.Message);
    }
}
