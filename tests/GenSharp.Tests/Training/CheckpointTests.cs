using System.Buffers.Binary;
using System.Text.Json.Nodes;
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
        string path = Path.Combine(TestTemp.Directory("gensharp-ck").FullName, "step-00000005.safetensors");
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
        string path = Path.Combine(TestTemp.Directory("gensharp-ck").FullName, "step-00000001.safetensors");
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
        string dir = TestTemp.Directory("gensharp-ck").FullName;
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

    /// <summary>A real checkpoint (model, Adam state, generator) at step 5 of a 10-step run.</summary>
    private static string RealCheckpoint()
    {
        string path = Path.Combine(TestTemp.Directory("gensharp-ck").FullName, "step-00000005.safetensors");
        manual_seed(1);
        using var model = Model();
        var opt = optim.Adam(model.parameters(), 1e-2);
        using var g = new Generator(2, CPU);
        TrainSteps(model, opt, g, 5);
        Checkpoint.Save(path, new TrainingSnapshot(model, null, opt, g) { Step = 5 });
        return path;
    }

    private static void SetRngField(Dictionary<string, Tensor> t, int offset, int value)
    {
        var state = t["rng"].clone();
        BinaryPrimitives.WriteInt32LittleEndian(state.bytes[offset..], value);
        t["rng"] = state;
    }

    public static TheoryData<string, string> HostileCheckpoints() => new()
    {
        { "step abc", "metadata 'step' is 'abc', not an integer" },
        { "step huge", "not an integer" },
        { "step negative", "metadata 'step' is -3, it must be >= 0" },
        { "step past the run", "metadata 'step' is 11, past the run's 10 steps" },
        { "param_groups not JSON", "metadata 'optimizer.param_groups' is not a JSON list" },
        { "param_groups an object", "metadata 'optimizer.param_groups' is not a JSON list" },
        { "param_groups null", "holds null" },
        { "scalars missing", "metadata 'optimizer.scalars' is missing" },
        { "scalars strings", "metadata 'optimizer.scalars' is not a JSON list" },
        { "optimizer type missing", "no optimizer state" },
        { "rng F32", "'rng' is Float32 [5056], but a generator state is Byte [5056]" },
        { "rng too short", "'rng' is Byte [100], but a generator state is Byte [5056]" },
        { "rng 2-D", "'rng' is Byte [2, 2528]" },
        { "rng missing", "no 'rng' state" },
        { "rng left 0", "not a valid Mersenne-Twister state" },
        { "rng left 625", "not a valid Mersenne-Twister state" },
        { "rng unseeded", "not a valid Mersenne-Twister state" },
        { "rng next 625", "not a valid Mersenne-Twister state" },
        { "exp_avg wrong shape", "'optim.0.exp_avg' has shape [3]" },
        { "exp_avg wrong dtype", "'optim.0.exp_avg' has dtype Float64" },
        { "model weight wrong dtype", "has dtype Float64, the model expects Float32" },
        { "data_offsets strings", "invalid data_offsets" },
        { "shape strings", "not a non-negative integer" },
        { "metadata number", "__metadata__ value 'step' is not a string" },
    };

    [Theory]
    [MemberData(nameof(HostileCheckpoints))]
    public void AHostileCheckpointIsRefusedWithAOneLineErrorAndTheProcessSurvives(string corruption, string expected)
    {
        string path = RealCheckpoint();
        switch (corruption)
        {
            case "step abc": CheckpointFiles.Rewrite(path, (_, m) => m["step"] = "abc"); break;
            case "step huge": CheckpointFiles.Rewrite(path, (_, m) => m["step"] = "99999999999999999999"); break;
            case "step negative": CheckpointFiles.Rewrite(path, (_, m) => m["step"] = "-3"); break;
            case "step past the run": CheckpointFiles.Rewrite(path, (_, m) => m["step"] = "11"); break;
            case "param_groups not JSON": CheckpointFiles.Rewrite(path, (_, m) => m["optimizer.param_groups"] = "[{lr: 1"); break;
            case "param_groups an object": CheckpointFiles.Rewrite(path, (_, m) => m["optimizer.param_groups"] = """{"lr":0.01}"""); break;
            case "param_groups null": CheckpointFiles.Rewrite(path, (_, m) => m["optimizer.param_groups"] = "[null]"); break;
            case "scalars missing": CheckpointFiles.Rewrite(path, (_, m) => m.Remove("optimizer.scalars")); break;
            case "scalars strings": CheckpointFiles.Rewrite(path, (_, m) => m["optimizer.scalars"] = """[{"step":"five"}]"""); break;
            case "optimizer type missing": CheckpointFiles.Rewrite(path, (_, m) => m.Remove("optimizer.type")); break;
            case "rng F32": CheckpointFiles.Rewrite(path, (t, _) => t["rng"] = t["rng"].to_type(ScalarType.Float32)); break;
            case "rng too short": CheckpointFiles.Rewrite(path, (t, _) => t["rng"] = t["rng"].narrow(0, 0, 100).clone()); break;
            case "rng 2-D": CheckpointFiles.Rewrite(path, (t, _) => t["rng"] = t["rng"].reshape(2, -1).clone()); break;
            case "rng missing": CheckpointFiles.Rewrite(path, (t, _) => t.Remove("rng")); break;
            case "rng left 0": CheckpointFiles.Rewrite(path, (t, _) => SetRngField(t, 8, 0)); break;
            case "rng left 625": CheckpointFiles.Rewrite(path, (t, _) => SetRngField(t, 8, 625)); break;
            case "rng unseeded": CheckpointFiles.Rewrite(path, (t, _) => SetRngField(t, 12, 0)); break;
            case "rng next 625": CheckpointFiles.Rewrite(path, (t, _) => SetRngField(t, 16, 625)); break;
            case "exp_avg wrong shape": CheckpointFiles.Rewrite(path, (t, _) => t["optim.0.exp_avg"] = zeros(3)); break;
            case "exp_avg wrong dtype":
                CheckpointFiles.Rewrite(path, (t, _) => t["optim.0.exp_avg"] = t["optim.0.exp_avg"].to_type(ScalarType.Float64)); break;
            case "model weight wrong dtype":
                CheckpointFiles.Rewrite(path, (t, _) =>
                {
                    string k = t.Keys.First(k => k.StartsWith("model.", StringComparison.Ordinal)); t[k] = t[k].to_type(ScalarType.Float64);
                });
                break;
            case "data_offsets strings": CheckpointFiles.RewriteHeader(path, h => h["rng"]!["data_offsets"] = new JsonArray("0", "5056")); break;
            case "shape strings": CheckpointFiles.RewriteHeader(path, h => h["rng"]!["shape"] = new JsonArray("5056")); break;
            case "metadata number": CheckpointFiles.RewriteHeader(path, h => h["__metadata__"]!["step"] = 5); break;
            default: throw new ArgumentException(corruption);
        }

        manual_seed(99);
        using var model = Model();
        var opt = optim.Adam(model.parameters(), 1e-2); // fresh: its per-parameter state is not allocated yet
        using var g = new Generator(12345, CPU);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, new TrainingSnapshot(model, null, opt, g), totalSteps: 10));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        using var draw = randn([4], generator: g); // the generator (and the process) still work
    }

    [Fact]
    public void AnUnchangedRealCheckpointLoadsWithinTheRunsStepsAndItsRngFieldsSitWhereTheCheckReadsThem()
    {
        string path = RealCheckpoint();
        using var model = Model();
        var opt = optim.Adam(model.parameters(), 1e-2);
        using var g = new Generator(12345, CPU);
        Assert.Equal(5, Checkpoint.Load(path, new TrainingSnapshot(model, null, opt, g), totalSteps: 5).Step);

        // libtorch's mt19937 starts at left = 1, next = 0; every 32-bit draw keeps left + next = 625 afterwards.
        using var fresh = new Generator(7, CPU);
        using (var s0 = fresh.get_state()) Assert.Equal((1, 1, 0UL), GeneratorState.Fields(s0));
        using (var x = randn([1000], generator: fresh)) { }
        using var s1 = fresh.get_state();
        Assert.Equal(GeneratorState.CpuStateBytes, s1.numel());
        var (left, seeded, next) = GeneratorState.Fields(s1);
        Assert.Equal(1, seeded);
        Assert.Equal(625UL, (ulong)left + next);
    }
}
