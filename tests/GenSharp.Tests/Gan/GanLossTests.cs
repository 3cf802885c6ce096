using GenSharp.Gan;
using GenSharp.Gan.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Gan;

[Collection(GlobalRngCollection.Name)] // builds its critics after manual_seed: other tests must not draw meanwhile
public sealed class GanLossTests
{
    private static readonly double[] Real = [2.0, -0.5, 0.3, 4.0];
    private static readonly double[] Fake = [-1.0, 0.7, -3.0, 0.1];

    private static double LogSigmoid(double t) => -Math.Log(1 + Math.Exp(-t));
    private static double Mean(IEnumerable<double> v) => v.Average();

    private static (double D, double G) Losses(IGanLoss loss)
    {
        using var scope = NewDisposeScope();
        var r = tensor(Real, dtype: ScalarType.Float64);
        var f = tensor(Fake, dtype: ScalarType.Float64);
        return (loss.DiscriminatorLoss(r, f).item<double>(), loss.GeneratorLoss(f).item<double>());
    }

    [Fact]
    public void NonSaturatingEqualsTheHandComputation()
    {
        var (d, g) = Losses(new NonSaturatingLoss());
        Assert.Equal(-Mean(Real.Select(LogSigmoid)) - Mean(Fake.Select(x => LogSigmoid(-x))), d, 12);
        Assert.Equal(-Mean(Fake.Select(LogSigmoid)), g, 12);
    }

    [Fact]
    public void SaturatingMinimaxGeneratorMinimisesLogOneMinusD()
    {
        var (d, g) = Losses(new MinimaxLoss());
        Assert.Equal(-Mean(Real.Select(LogSigmoid)) - Mean(Fake.Select(x => LogSigmoid(-x))), d, 12);
        Assert.Equal(Mean(Fake.Select(x => Math.Log(1 - 1 / (1 + Math.Exp(-x))))), g, 12);
    }

    [Fact]
    public void WassersteinLossesAreDifferencesOfMeans()
    {
        foreach (var loss in new IGanLoss[] { new WganLoss(), new WganGpLoss() })
        {
            var (d, g) = Losses(loss);
            Assert.Equal(Mean(Fake) - Mean(Real), d, 12);
            Assert.Equal(-Mean(Fake), g, 12);
            Assert.True(loss.IsCritic);
        }
    }

    [Fact]
    public void HingeEqualsTheHandComputation()
    {
        var (d, g) = Losses(new HingeLoss());
        Assert.Equal(Mean(Real.Select(x => Math.Max(0, 1 - x))) + Mean(Fake.Select(x => Math.Max(0, 1 + x))), d, 12);
        Assert.Equal(-Mean(Fake), g, 12);
    }

    [Fact]
    public void EveryRegisteredObjectiveHasItsCourseDefaults()
    {
        Assert.Equal(["ns", "minimax", "wgan", "wgan-gp", "hinge"], GanLosses.Names);
        Assert.Equal(new GanTrainingDefaults("rmsprop", 5e-5, 0, 0, 5, 64), GanLosses.Create("wgan").Defaults);
        Assert.Equal(5, GanLosses.Create("wgan-gp").Defaults.NCritic);
        var e = Assert.Throws<ConfigException>(() => GanLosses.Create("lsgan"));
        Assert.Contains("wgan-gp", e.Message);
    }

    /// <summary>A tiny smooth critic D(x) = w2 . tanh(W1 x + b1), float64, for finite differences.</summary>
    private sealed class TinyCritic : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear l1;
        private readonly TorchSharp.Modules.Linear l2;

        public TinyCritic() : base(nameof(TinyCritic))
        {
            l1 = nn.Linear(3, 5, dtype: ScalarType.Float64);
            l2 = nn.Linear(5, 1, dtype: ScalarType.Float64);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => l2.call(l1.call(x).tanh()).squeeze(1);
    }

    [Fact]
    public void GradientPenaltyEqualsAFiniteDifferenceCheckOnATinyCritic()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var critic = new TinyCritic();
        using var g = new Generator(2, CPU);
        var points = randn([4, 3], dtype: ScalarType.Float64, generator: g) * 1.5;

        // the penalty from finite differences of D in x
        double penalty = 0, h = 1e-6;
        for (int i = 0; i < 4; i++)
        {
            double norm2 = 0;
            for (int k = 0; k < 3; k++)
            {
                using var inner = NewDisposeScope();
                var plus = points[i].clone().unsqueeze(0);
                var minus = points[i].clone().unsqueeze(0);
                plus[0, k] += h;
                minus[0, k] -= h;
                double dk;
                using (no_grad()) dk = (critic.call(plus).item<double>() - critic.call(minus).item<double>()) / (2 * h);
                norm2 += dk * dk;
            }
            penalty += Math.Pow(Math.Sqrt(norm2) - 1, 2) / 4;
        }
        var gp = WganGpLoss.GradientPenaltyAt(x => critic.call(x), points);
        Assert.Equal(penalty, gp.item<double>(), 8);

        // and it is differentiable in the critic's weights (create_graph): autograd vs finite differences in one weight
        var weight = critic.parameters().First();
        var grad = autograd.grad([gp], [weight])[0];
        double w0 = weight[0, 0].item<double>();
        double Penalty(double w)
        {
            using var inner = NewDisposeScope();
            using (no_grad()) weight[0, 0] = w;
            return WganGpLoss.GradientPenaltyAt(x => critic.call(x), points).item<double>();
        }
        double fd = (Penalty(w0 + 1e-6) - Penalty(w0 - 1e-6)) / 2e-6;
        Assert.Equal(fd, grad[0, 0].item<double>(), 6);
    }

    [Fact]
    public void RandomInterpolatesLieOnTheSegmentsAndGiveTheSamePenalty()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var critic = new TinyCritic();
        var real = ones(6, 3, dtype: ScalarType.Float64);
        var fake = zeros(6, 3, dtype: ScalarType.Float64);
        using var g1 = new Generator(9, CPU);
        using var g2 = new Generator(9, CPU);
        var gp = WganGpLoss.GradientPenalty(x => critic.call(x), real, fake, g1).item<double>();
        var eps = rand([6, 1], generator: g2, dtype: ScalarType.Float64);
        var expected = WganGpLoss.GradientPenaltyAt(x => critic.call(x), eps * real + (1 - eps) * fake).item<double>();
        Assert.Equal(expected, gp, 12);
        Assert.Equal(10 * gp, new WganGpLoss(10).Penalty(x => critic.call(x), real, fake, new Generator(9, CPU))!.item<double>(), 10);
    }

    [Fact]
    public void WeightClippingKeepsEveryCriticWeightInMinusCToC()
    {
        using var critic = new ConvDiscriminator(new GanNetworksConfig(DiscriminatorChannels: 4, DiscriminatorHidden: 8));
        using (no_grad()) foreach (var p in critic.parameters()) p.mul_(100); // far outside [-c, c]
        var loss = new WganLoss(clip: 0.01);
        ((IGanLoss)loss).AfterDiscriminatorStep(critic);
        foreach (var p in critic.parameters())
        {
            Assert.True(p.abs().max().item<float>() <= 0.01f + 1e-9f, "a weight escaped [-c, c]");
            Assert.True(p.abs().max().item<float>() >= 0.0099f, "clipping should leave the largest weights at the bound");
        }
        Assert.Throws<ConfigException>(() => new WganLoss(0));
    }
}
