using GenSharp.Diffusion;
using GenSharp.Diffusion.EarlyStop;
using GenSharp.Diffusion.Samplers;
using GenSharp.Pipelines;
using GenSharp.Tests.Diffusion.Samplers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.EarlyStop;

/// <summary>
/// Early-stopped DDPM (docs/latent-diffusion.md#es-ddpm) against closed forms: with the exact noise predictor of Gaussian data
/// (<see cref="ExactGaussian"/>), exact data samples diffused to T0 by q(x_T0 | x_0) and run through the chain truncated at T0 come back
/// with the data's mean and standard deviation; with T0 = T the early-stopped sampler is the full DDPM from the same x_T, bit for bit.
/// </summary>
public sealed class EarlyStoppedSamplerTests(ITestOutputHelper output)
{
    private static readonly ExactGaussian Data = new([1f, -2f, 0.5f, 0f], [0.5f, 2f, 1f, 0.7f]);

    private static GaussianDiffusion Linear() => new(new NoiseSchedule(new NoiseScheduleConfig()));

    [Theory]
    [InlineData("ddpm", null, 50)]
    [InlineData("ddpm", null, 200)]
    [InlineData("ddim", 20, 100)]
    [InlineData("dpmpp", 10, 100)]
    public void TruncatedChainFromExactDataSamplesReturnsTheDataDistribution(string name, int? steps, int t0)
    {
        const int n = 20_000;
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        using var g = new Generator(5, CPU);
        var mu = tensor(Data.Mu).unsqueeze(0);
        var s = tensor(Data.S).unsqueeze(0);
        var x0 = mu + s * randn([n, Data.Dims], generator: g);                                  // exact data samples
        var xT0 = diffusion.QSample(x0, full([n], t0 - 1, dtype: ScalarType.Int64), randn([n, Data.Dims], generator: g));
        var chain = new SamplerSpec(name, steps, ClipX0: false).Create(diffusion, t0);
        Assert.Equal(t0 - 1, chain.Table.Timesteps[0]);
        Assert.Equal(steps ?? t0, chain.FunctionEvaluations);
        var result = chain.SampleFrom(Data.EpsModel(diffusion.Schedule), xT0, g);
        var m = result.Samples.mean([0]).data<float>().ToArray();
        var sd = result.Samples.std([0]).data<float>().ToArray();
        output.WriteLine($"{chain.Name} from T0 = {t0}: mean [{string.Join(", ", m)}] std [{string.Join(", ", sd)}]");
        // sampling error: 5 standard errors of the mean (s / sqrt(n)) and of the std (s / sqrt(2n)), plus a discretisation allowance
        // of 2 % of s for the strided samplers (measured below 1 %)
        double discretisation = name == "ddpm" ? 0 : 0.02;
        for (int d = 0; d < Data.Dims; d++)
        {
            Assert.Equal(Data.Mu[d], m[d], Data.S[d] * (discretisation + 5 / Math.Sqrt(n)));
            Assert.Equal(Data.S[d], sd[d], Data.S[d] * (discretisation + 5 / Math.Sqrt(2.0 * n)));
        }
    }

    [Fact]
    public void AtT0EqualToTTheEarlyStoppedSamplerIsTheFullDdpmWithTheSameRandomNumbers()
    {
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        var eps = Data.EpsModel(diffusion.Schedule);
        var start = new FixedStart(rand([64, 4], generator: new Generator(1, CPU)) * 2 - 1);
        var es = new EarlyStoppedSampler(start, eps, diffusion, new SamplerSpec("ddpm", ClipX0: false), diffusion.Timesteps, [4], CPU);
        using var g1 = new Generator(7, CPU);
        var a = es.Sample(64, g1, new SamplingObserver()).Samples;
        Assert.Equal(1000, es.FunctionEvaluations);

        // the same random numbers by hand: the start sample, z for q(x_T | x_0), then the full ancestral chain
        using var g2 = new Generator(7, CPU);
        var x0 = start.Sample(64, g2, new SamplingObserver()).Samples;
        var xT = diffusion.QSample(x0, full([64], 999, dtype: ScalarType.Int64), randn([64, 4], generator: g2));
        var b = new AncestralSampler(diffusion).SampleFrom(eps, xT, g2).Samples;
        Assert.True(a.eq(b).all().item<bool>());
    }

    [Fact]
    public void StartSamplesOfAnotherShapeOrRangeAreRefusedWithOneLine()
    {
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        var eps = Data.EpsModel(diffusion.Schedule);
        using var g = new Generator(1, CPU);
        var wrongShape = new EarlyStoppedSampler(new FixedStart(zeros(8, 3)), eps, diffusion, new SamplerSpec("ddpm"), 10, [4], CPU);
        var e1 = Assert.Throws<ConfigException>(() => wrongShape.Sample(8, g, new SamplingObserver()));
        Assert.Contains("its images are 3 but the DDPM's are 4", e1.Message);
        var wrongRange = new EarlyStoppedSampler(new FixedStart(ones(8, 4) * 255), eps, diffusion, new SamplerSpec("ddpm"), 10, [4], CPU);
        var e2 = Assert.Throws<ConfigException>(() => wrongRange.Sample(8, g, new SamplingObserver()));
        Assert.Contains("not the DDPM's pixel range [-1, 1]", e2.Message);
        var e3 = Assert.Throws<ConfigException>(() => new EarlyStoppedSampler(new FixedStart(zeros(8, 4)), eps, diffusion, new SamplerSpec("ddpm"),
            1001, [4], CPU));
        Assert.Equal("--t0 1001: must be between 1 and the 1000 training steps of the model", e3.Message);
        Assert.Throws<ConfigException>(() => new EarlyStoppedSampler(new FixedStart(zeros(8, 4)), eps, diffusion, new SamplerSpec("ddpm"), 0,
            [4], CPU));
        var e4 = Assert.Throws<ConfigException>(() => new EarlyStoppedSampler(new FixedStart(zeros(8, 4)), eps, diffusion,
            new SamplerSpec("ddim", 50), 25, [4], CPU));
        Assert.StartsWith("--steps 50:", e4.Message);
        Assert.DoesNotContain('\n', e1.Message + e2.Message + e4.Message);
    }

    /// <summary>A start "generator" returning the first n rows of fixed samples; it draws one number so that the generator advances.</summary>
    private sealed class FixedStart(Tensor samples) : IImageSampler
    {
        public string Label => "fixed";
        public int FunctionEvaluations => 1;
        public object Settings => "fixed";

        public SamplerResult Sample(int n, Generator generator, SamplingObserver observer)
        {
            using var _ = randn([1], generator: generator);
            return new SamplerResult(samples.narrow(0, 0, n).clone(), 1, 0, new Dictionary<int, Tensor>());
        }

        public void Dispose() { }
    }
}
