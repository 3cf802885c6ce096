using GenSharp.Nn;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Training;

public sealed class CheckpointTests
{
    private static MlpNoisePredictor Model() => new(new MlpNoisePredictorConfig(DataDim: 2, Hidden: 16, Layers: 2, TimeEmbedDim: 8));

    private static void TrainSteps(MlpNoisePredictor model, optim.Optimizer opt, Generator g, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var x = randn([32, 2], generator: g);
            var t = randint(0, 100, [32], dtype: ScalarType.Int64, generator: g);
            var loss = (model.call(x, t) - x).pow(2).mean();
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
    }

    private static optim.Optimizer MakeOptimizer(string kind, MlpNoisePredictor m) => kind switch
    {
        "adamw" => optim.AdamW(m.parameters(), 1e-2, weight_decay: 0.01),
        "adam" => optim.Adam(m.parameters(), 1e-2),
        _ => optim.RMSProp(m.parameters(), 5e-3),
    };

    [Theory]
    [InlineData("adamw")]
    [InlineData("adam")]
    [InlineData("rmsprop")]
    public void ResumingFromACheckpointIsBitIdenticalToNotStopping(string kind)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("gensharp-ck").FullName, "step-00000005.safetensors");
        // uninterrupted: 10 steps
        manual_seed(1);
        using var a = Model();
        var optA = MakeOptimizer(kind, a);
        using var gA = new Generator(2, CPU);
        TrainSteps(a, optA, gA, 10);

        // interrupted: 5 steps, save, fresh objects, load, 5 more
        manual_seed(1);
        using (var b = Model())
        {
            var optB = MakeOptimizer(kind, b);
            using var gB = new Generator(2, CPU);
            TrainSteps(b, optB, gB, 5);
            Checkpoint.Save(path, new TrainingSnapshot(b, null, optB, gB) { Step = 5, LrScheduleJson = "{\"x\":1}" });
        }
        manual_seed(99); // different init: everything must come from the checkpoint
        using var c = Model();
        var optC = MakeOptimizer(kind, c);
        using var gC = new Generator(12345, CPU);
        var loaded = Checkpoint.Load(path, new TrainingSnapshot(c, null, optC, gC));
        Assert.Equal(5, loaded.Step);
        Assert.Equal("{\"x\":1}", loaded.LrScheduleJson);
        TrainSteps(c, optC, gC, 5);

        var pa = a.parameters().ToArray();
        var pc = c.parameters().ToArray();
        for (int i = 0; i < pa.Length; i++)
            Assert.Equal(pa[i].bytes.ToArray(), pc[i].bytes.ToArray());
    }

    [Fact]
    public void EmaAndModelRoundTripAndAWrongArchitectureIsRefusedByName()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("gensharp-ck").FullName, "step-00000001.safetensors");
        using var model = Model();
        using var shadow = Model();
        using var ema = new Ema(model, shadow, 0.9);
        Checkpoint.Save(path, new TrainingSnapshot(model, shadow, null, null) { Step = 1 });
        using var restored = Model();
        Checkpoint.LoadModule(path, "ema", restored);
        var s = shadow.parameters().ToArray();
        var r = restored.parameters().ToArray();
        for (int i = 0; i < s.Length; i++) Assert.Equal(s[i].bytes.ToArray(), r[i].bytes.ToArray());

        using var wider = new MlpNoisePredictor(new MlpNoisePredictorConfig(DataDim: 2, Hidden: 32, Layers: 2, TimeEmbedDim: 8));
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.LoadModule(path, "ema", wider));
        Assert.Contains("ema.", e.Message);
        Assert.Contains("shape", e.Message);
        using var deeper = new MlpNoisePredictor(new MlpNoisePredictorConfig(DataDim: 2, Hidden: 16, Layers: 3, TimeEmbedDim: 8));
        Assert.Contains("missing 'ema.blocks.2", Assert.Throws<CheckpointException>(() => Checkpoint.LoadModule(path, "ema", deeper)).Message);
    }

    [Fact]
    public void CorruptedCheckpointIsRefused()
    {
        string dir = Directory.CreateTempSubdirectory("gensharp-ck").FullName;
        string path = Path.Combine(dir, "step-00000003.safetensors");
        using var model = Model();
        Checkpoint.Save(path, new TrainingSnapshot(model, null, null, null) { Step = 3 });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]); // truncated
        Assert.Throws<CheckpointException>(() => Checkpoint.LoadModule(path, "model", model));
        Assert.Equal(path, Checkpoint.FindLatest(dir));
        File.WriteAllBytes(Path.Combine(dir, "step-00000010.safetensors"), bytes);
        File.WriteAllBytes(Path.Combine(dir, ".step-00000020.safetensors.tmp-1-x"), bytes);
        Assert.EndsWith("step-00000010.safetensors", Checkpoint.FindLatest(dir));
    }
}
