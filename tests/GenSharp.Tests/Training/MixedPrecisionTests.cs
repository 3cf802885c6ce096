using GenSharp.Bench;
using GenSharp.Nn;
using GenSharp.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Training;

/// <summary>
/// bf16 mixed precision (<see cref="MixedPrecision"/>) on a tiny U-Net: from the same initialisation and the same
/// batches, the bf16 step's loss, gradients and parameter updates agree with the fp32 step's to bfloat16 accuracy;
/// the masters stay fp32; it trains; and no tensor accumulates.
/// </summary>
[Collection("memory")] // one thread, no other test allocating meanwhile
public sealed class MixedPrecisionTests(ITestOutputHelper output)
{
    /// <summary>No dropout: both precisions must see the same network function.</summary>
    private static readonly UNetConfig Tiny = new() { Channels = 8, Groups = 4, Multipliers = [1, 2], AttentionResolutions = [4], Height = 8,
        Width = 8, Dropout = 0 };

    private static T OnOneThread<T>(Func<T> run)
    {
        int threads = get_num_threads();
        set_num_threads(1);
        try { return run(); }
        finally { set_num_threads(threads); }
    }

    private static Tensor Flat(IEnumerable<Tensor> tensors) =>
        cat(tensors.Select(t => t.detach().to_type(ScalarType.Float32).flatten()).ToArray(), 0);

    private static double RelativeError(Tensor a, Tensor reference) => ((a - reference).norm() / reference.norm()).item<float>();

    [Fact]
    public void Bf16StepsAgreeWithFp32StepsToBf16Accuracy()
    {
        using var scope = NewDisposeScope();
        using var fp32 = new UNetTrainingStep(Tiny, batch: 8, CPU);
        using var bf16 = new UNetTrainingStep(Tiny, batch: 8, CPU, precision: TrainingPrecision.Bf16);
        var initial = Flat(fp32.Model.parameters());
        Assert.Equal(0.0, RelativeError(Flat(bf16.Model.parameters()), initial)); // same seed, same masters

        var (lossErrors, gradError) = OnOneThread(() =>
        {
            var errors = new List<double>();
            double gradients = double.NaN;
            for (int step = 0; step < 4; step++)
            {
                float a = fp32.Run(), b = bf16.Run();
                errors.Add(Math.Abs(b - a) / a);
                if (step == 0) // the first step's gradients, before the weights have drifted apart
                    gradients = RelativeError(Flat(bf16.Model.parameters().Select(p => p.grad!)),
                        Flat(fp32.Model.parameters().Select(p => p.grad!)));
            }
            return (errors, gradients);
        });
        // bfloat16 keeps 8 significant bits (unit roundoff 2^-9 = 0.2 %): the loss agrees to better than that (it is
        // computed in fp32 from a bf16 output), the gradient (a deep backward pass of rounded activations) to a few per cent.
        Assert.All(lossErrors, e => Assert.True(e < 0.005, 
            $"relative loss differences {string.Join(", ", lossErrors.Select(x => x.ToString("E2")))}"));
        Assert.True(gradError < 0.03, $"first-step gradient relative error {gradError:E2}");

        // the parameter updates theta_4 - theta_0 have the same direction and size. AdamW normalises each
        // coordinate (its first step is lr * sign(g)), so a gradient coordinate near 0 whose sign bf16 flips moves
        // by a full +-lr: the updates differ by several per cent in norm while pointing the same way.
        var fp32Update = Flat(fp32.Model.parameters()) - initial;
        var bf16Update = Flat(bf16.Model.parameters()) - initial;
        double cosine = (fp32Update.dot(bf16Update) / (fp32Update.norm() * bf16Update.norm())).item<float>();
        double normRatio = (bf16Update.norm() / fp32Update.norm()).item<float>();
        output.WriteLine($"loss rel. errors {string.Join(", ", lossErrors.Select(x => x.ToString("E2")))}; first-step gradient {gradError:E2}; " +
                         $"4-step update: relative error {RelativeError(bf16Update, fp32Update):E2}, cosine {cosine:F5}, norm ratio {normRatio:F4}");
        Assert.True(fp32Update.norm().item<float>() > 0);
        Assert.True(cosine > 0.98, $"cosine of the updates {cosine:F5}");
        Assert.True(Math.Abs(normRatio - 1) < 0.02, $"update norm ratio bf16/fp32 {normRatio:F4}");
    }

    [Fact]
    public void MastersStayFp32AndTheWorkingCopyBf16()
    {
        using var step = new UNetTrainingStep(Tiny, batch: 4, CPU, precision: TrainingPrecision.Bf16);
        OnOneThread(() => { step.Run(); return step.Run(); });
        Assert.All(step.Model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(step.Model.parameters(), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));
        Assert.All(step.Working!.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        Assert.All(step.Working!.parameters(), p => Assert.Null(p.grad)); // released after being copied to the masters

        // the working weights are the masters rounded to bf16 (compare after the next copy-in)
        using var scope = NewDisposeScope();
        using var mixed = new MixedPrecision(step.Model, new UNet(Tiny));
        foreach (var (master, working) in step.Model.parameters().Zip(mixed.Working.parameters()))
            Assert.True(working.to_type(ScalarType.Float32).eq(master.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32)).all().item<bool>());
    }

    [Fact]
    public void Bf16TrainingLowersTheLossOnAFixedBatch()
    {
        using var step = new UNetTrainingStep(Tiny, batch: 8, CPU, precision: TrainingPrecision.Bf16);
        var (first, last) = OnOneThread(() =>
        {
            var first = Enumerable.Range(0, 5).Select(_ => step.Run()).Average();
            for (int i = 0; i < 25; i++) step.Run();
            return (first, Enumerable.Range(0, 5).Select(_ => step.Run()).Average());
        });
        Assert.True(first > 0.5 && last < 0.9 * first, $"L_simple {first} -> {last}");
    }

    [Fact]
    public void Bf16StepsLeaveNoTensorBehind()
    {
        var m = OnOneThread(() => UNetStepBenchmark.Memory(Tiny, batch: 4, stepsA: 5, stepsB: 25, CPU, quiet: true,
             precision: TrainingPrecision.Bf16));
        Assert.Equal(m.LiveTensorsA, m.LiveTensorsB);
    }

    [Fact]
    public void FloatingBuffersAreCastAndIntegerBuffersKept()
    {
        using var scope = NewDisposeScope();
        var master = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4));
        using (no_grad())
            foreach (var b in master.buffers().Where(b => is_floating_point(b))) b.uniform_(0.5, 1.5);
        using var mixed = new MixedPrecision(master, nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)));
        foreach (var (m, w) in master.buffers().Zip(mixed.Working.buffers()))
        {
            Assert.Equal(is_floating_point(m) ? ScalarType.BFloat16 : m.dtype, w.dtype);
            Assert.True(w.to_type(ScalarType.Float32).allclose(m.to_type(ScalarType.Float32), rtol: 1e-2));
        }
    }

    [Fact]
    public void UnknownPrecisionIsAConfigError()
    {
        var e = Assert.Throws<ConfigException>(() => TrainingPrecision.Validate("fp16"));
        Assert.Contains("fp32 or bf16", e.Message);
    }
}
