using GenSharp.Diffusion;

namespace GenSharp.Tests.Diffusion;

public sealed class NoiseScheduleTests
{
    [Fact]
    public void LinearScheduleHasTheCourseEndpointsAndConsistentProducts()
    {
        using var s = new NoiseSchedule(new NoiseScheduleConfig());
        Assert.Equal(1000, s.Betas.Length);
        Assert.Equal(1e-4, s.Betas[0], 15);
        Assert.Equal(0.02, s.Betas[^1], 15);
        double abar = 1;
        for (int t = 0; t < 1000; t++)
        {
            Assert.Equal(abar, s.AlphaBarsPrev[t], 14);
            abar *= 1 - s.Betas[t];
            Assert.Equal(abar, s.AlphaBars[t], 14);
        }
        Assert.Equal(1.0, s.AlphaBarsPrev[0]);
        Assert.Equal(0.0, s.PosteriorVariance[0]);          // q(x_0 | x_1, x_0) is a point mass
        Assert.True(double.IsFinite(s.PosteriorLogVarianceClipped[0]));
        Assert.True(s.AlphaBars[^1] < 1e-4);                // x_T is essentially pure noise
    }

    [Fact]
    public void CosineScheduleFollowsNicholAndDhariwal()
    {
        const int T = 1000;
        const double sOff = 0.008;
        using var s = new NoiseSchedule(new NoiseScheduleConfig(Kind: "cosine", Timesteps: T));
        double F(double t) => Math.Pow(Math.Cos((t / T + sOff) / (1 + sOff) * Math.PI / 2), 2);
        for (int t = 0; t < T - 5; t += 37) // away from the clipped end
            Assert.Equal(F(t + 1) / F(0), s.AlphaBars[t], 9);
        for (int t = 1; t < T; t++) Assert.True(s.AlphaBars[t] < s.AlphaBars[t - 1]);
        Assert.All(s.Betas, b => Assert.InRange(b, 0, 0.999));
    }

    [Fact]
    public void BadConfigurationNamesTheFlag()
    {
        Assert.StartsWith("--schedule", Assert.Throws<ConfigException>(() => new NoiseScheduleConfig(Kind: "sigmoid").Validate()).Message);
        Assert.StartsWith("--timesteps", Assert.Throws<ConfigException>(() => new NoiseScheduleConfig(Timesteps: 0).Validate()).Message);
    }
}
