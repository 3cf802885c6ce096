using System.Text.Json;
using GenSharp.Data;
using GenSharp.Evaluation;
using GenSharp.Output;
using GenSharp.Pipelines;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vae;

/// <summary>
/// VAEs on Fashion-MNIST end to end (docs/vae.md): trains -ELBO with the shared <see cref="Trainer"/>
/// (logging the reconstruction and KL terms), reports the test-set ELBO and (with the feature network) FD beside its
/// floor, precision/recall and the predicted-class histogram per epoch, as the GAN does, and writes samples,
/// reconstructions and a latent interpolation. <see cref="Load"/> gives a trained encoder/decoder to
/// other models (latent diffusion, ES-DDPM).
/// </summary>
public sealed class VaeRecipe : IRunRecipe, IImageRunSource
{
    /// <summary>The trained VAE of a run (latest checkpoint), in eval mode: for reuse as an autoencoder or fast prior.</summary>
    public static VariationalAutoencoder Load(RunDirectory run, Device device)
    {
        var config = RunConfigFile.Read<VaeConfig>(run).Validate();
        string checkpoint = Checkpoint.FindLatest(run.CheckpointsDir)
            ?? throw new ConfigException($"{run.Root} has no checkpoint yet; train it first (gensharp train vae ... --resume)");
        var vae = new VariationalAutoencoder(config.Network);
        vae.to(device);
        Checkpoint.LoadModule(checkpoint, "model", vae);
        vae.eval();
        return vae;
    }

    public string Kind => VaeConfig.Kind;

    public static VaeConfig Resolve(VaeConfig config, Device device)
    {
        config.Validate();
        using var train = LoadTrain(config, null);
        if (config.Training.Batch > train.Count)
            throw new ConfigException($"--batch {config.Training.Batch}: larger than the {train.Count} training images");
        return config with { DataHash = train.ContentHash, Environment = Runtime.RunEnvironment.Capture(device) };
    }

    public static EvalOutcome Train(VaeConfig config, RunDirectory run, Device device, bool resume, bool quiet, TextWriter log)
    {
        using var train = LoadTrain(config, device);
        using var test = LoadTest(config, device);
        manual_seed(config.Training.Seed);
        using var rng = new Generator((ulong)config.Training.Seed, device);
        using var vae = new VariationalAutoencoder(config.Network);
        vae.to(device);
        using var optimizer = new FusedAdamW(vae.parameters().Where(p => p.requires_grad), config.Training.Lr, weight_decay: 0);
        using var sampler = new BatchSampler(train.Count, config.Training.Batch, config.Training.Seed);
        long total = (long)config.Training.Epochs * sampler.BatchesPerEpoch;
        var schedule = config.Training.Schedule(total) with { WarmupSteps = Math.Min(config.Training.WarmupSteps, total / 10) };
        Trainer? trainer = null;
        Tensor Loss(long step)
        {
            var x = train.Batch(sampler.BatchIndices(step).to(device));
            var terms = Elbo.Compute(vae, x, rng, config.KlWeight);
            double recon = terms.Reconstruction.mean().item<float>(), kl = terms.Kl.mean().item<float>();
            trainer!.Observe("recon_nats", recon);
            trainer.Observe("kl_nats", kl);
            trainer.Observe("elbo_nats", recon - kl);
            return -terms.Elbo.mean();
        }
        trainer = new Trainer(config.Training.LoopConfig(total), vae, optimizer,
            schedule,
            null, rng, run, Loss, new Dictionary<string, string> { ["config"] = JsonSerializer.Serialize(config, JsonDefaults.Compact) });
        using var epochEval = EpochImageEvaluation.TryCreate(config.Training.EvalSamples, config.Training.FinalEvalSamples, config.DataDir(),
            device, config.Training.Seed, log);
        trainer.Every(sampler.BatchesPerEpoch, step =>
        {
            int epoch = (int)Math.Ceiling((double)step / sampler.BatchesPerEpoch);
            var (elbo, recon, kl) = TestElbo(vae, test, config.Training.Seed);
            var record = new Dictionary<string, object?> { ["step"] = step, ["epoch"] = epoch,
                ["test_elbo_nats"] = elbo, ["test_recon_nats"] = recon,
                ["test_kl_nats"] = kl };
            vae.eval();
            using (var g = new Generator((ulong)config.Training.Seed + 1, device))
            using (var samples = vae.Sample(64, g, device))
                ImageGrid.Save(samples, Path.Combine(run.SamplesDir, $"epoch-{epoch:D3}.png"), columns: 8, scale: 2);
            string line = $"epoch {epoch}: test ELBO {elbo:F2} nats/image (reconstruction {recon:F2}, KL {kl:F2})";
            if (epochEval is not null)
            {
                using var gEval = new Generator((ulong)config.Training.Seed + 2, device);
                using var samples = vae.Sample(epochEval.N, gEval, device).cpu();
                line += "; " + epochEval.Summary(epochEval.AddTo(record, samples, run, epoch, config.Training.Seed));
            }
            run.EvalCurve.Append(record);
            if (!quiet) log.WriteLine(line);
        });
        if (resume)
        {
            long from = trainer.Resume();
            if (!quiet) log.WriteLine(from > 0 ? $"resuming {run.Name} from step {from} of {total}"
                : $"no checkpoint in {run.Name}; starting from step 0");
        }
        trainer.Run($"train {run.Name}", quiet);
        return new VaeRecipe().Evaluate(run, new EvalRequest(config.Training.FinalEvalSamples, config.Training.Seed + 7, quiet), device);
    }

    /// <summary>Mean one-sample ELBO, reconstruction and KL (nats per image) over a data set, in eval mode with a fixed seed.</summary>
    public static (double Elbo, double Reconstruction, double Kl) TestElbo(VariationalAutoencoder vae,
        ImageDataset data, long seed, int batch = 1000)
    {
        bool wasTraining = vae.training;
        vae.eval();
        using var noGrad = no_grad();
        using var g = new Generator((ulong)seed + 3, data.Images.device);
        double elbo = 0, recon = 0, kl = 0;
        for (int s = 0; s < data.Count; s += batch)
        {
            using var scope = NewDisposeScope();
            var terms = Elbo.Compute(vae, data.Images.narrow(0, s, Math.Min(batch, data.Count - s)), g);
            elbo += terms.Elbo.sum().item<float>();
            recon += terms.Reconstruction.sum().item<float>();
            kl += terms.Kl.sum().item<float>();
        }
        if (wasTraining) vae.train();
        return (elbo / data.Count, recon / data.Count, kl / data.Count);
    }

    public SampleOutcome Sample(RunDirectory run, SampleRequest request, Device device)
    {
        if (request.N < 1) throw new ConfigException($"--n {request.N}: must be at least 1");
        using var vae = Load(run, device);
        using var sampler = new VaeImageSampler(vae, device);
        return SampleFolder.Draw(run, request, sampler, device, prefix: "samples");
    }

    public ImageRunHandle Open(RunDirectory run, SamplingChoice? choice, Device device)
    {
        var config = RunConfigFile.Read<VaeConfig>(run).Validate();
        var vae = Load(run, device);
        string data = new DataSpec.FashionMnistFiles(config.DataDir()).Canonical;
        return new ImageRunHandle(new VaeImageSampler(vae, device), data, null, BatchedSampling.DefaultBatch,
            ImageRunHandle.CountParameters(vae.Decoder), vae);
    }

    public EvalOutcome Evaluate(RunDirectory run, EvalRequest request, Device device)
    {
        var config = RunConfigFile.Read<VaeConfig>(run).Validate();
        GeneratorEvaluation.CheckSize(request);
        using var vae = Load(run, device);
        using var test = LoadTest(config, device);
        var (elbo, recon, kl) = TestElbo(vae, test, request.Seed);
        var metrics = new Dictionary<string, double?>
        {
            ["test_elbo_nats"] = elbo,
            ["test_recon_nats"] = recon,
            ["test_kl_nats"] = kl,
            ["test_bits_per_dim"] = -elbo / (784 * Math.Log(2)),
        };
        using var sampler = new VaeImageSampler(vae, device);
        using var result = GeneratorEvaluation.Run(run, config.DataDir(), request, sampler, metrics,
            Path.Combine(run.PlotsDir, VaeFigures.ClassHistogramPng), device,
            batch: BatchedSampling.DefaultBatch);
        VaeFigures.Write(run, vae, test, result.Samples, request.Seed, device);
        GeneratorEvaluation.WriteEvalJson(run, config.Model, request, result, [("likelihood", config.Network.Likelihood)]);
        VaeReport.Write(run, config, result.Metrics, result.SkippedReason, result.Scores, result.Baselines);
        return new EvalOutcome(run.EvalPath, result.Metrics, result.Features);
    }

    private static ImageDataset LoadTest(VaeConfig config, Device device) =>
        FashionMnist.Load(FashionMnistSplit.Test, config.DataDir(), PixelRange.MinusOneToOne,
            config.TestLimit > 0 ? config.TestLimit : null, device);

    private static ImageDataset LoadTrain(VaeConfig config, Device? device) =>
        FashionMnist.Load(FashionMnistSplit.Train, config.DataDir(), PixelRange.MinusOneToOne, config.TrainLimit > 0 ? config.TrainLimit : null,
            device);
}
