using System.Text;
using System.Text.Json;
using GenSharp.Diffusion.Samplers;
using GenSharp.Files;
using GenSharp.Output;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>Options of <c>gensharp interpolate</c>.</summary>
public sealed record InterpolationRequest(long SeedA, long SeedB, int Frames = 9, string Method = "slerp", int? Steps = null,
    string? Output = null, int Scale = 4, int DelayMs = 250);

/// <summary>What <c>gensharp interpolate</c> wrote.</summary>
public sealed record InterpolationOutcome(string Folder, string Strip, string Gif, string Sampler, int FunctionEvaluations, double Seconds);

/// <summary>
/// <c>gensharp interpolate RUN --seeds A,B --frames K</c> (docs/samplers.md#interpolation): the start noises that <c>gensharp sample
/// --seed A</c> and <c>--seed B</c> draw for their first image, K noises between them (slerp or lerp, <see cref="NoisePath"/>), each decoded
/// by deterministic DDIM (eta 0). Because DDIM with eta 0 is a deterministic map from x_T to x_0, the first and last frames are exactly the
/// samples of the two seeds and the frames in between move smoothly from one to the other. Writes a PNG strip, an animated GIF and
/// interpolation.json into a new folder.
/// </summary>
public static class ImageDdpmInterpolation
{
    /// <summary>The start noise (1, C, H, W) that <c>gensharp sample --seed</c> <paramref name="seed"/> draws for its first image.</summary>
    public static Tensor StartNoise(long seed, long[] imageShape, Device device)
    {
        using var g = new Generator((ulong)seed, device);
        return randn([1, .. imageShape], dtype: ScalarType.Float32, device: device, generator: g);
    }

    /// <summary>The decoded frames (K, C, H, W) in [-1, 1] between the noises of the two seeds, in batches of at most 250.</summary>
    public static SamplerResult Frames(IDiffusionSampler ddim, Func<Tensor, Tensor, Tensor> epsModel, long[] imageShape, Device device,
        long seedA, long seedB, int frames, string method)
    {
        using var scope = NewDisposeScope();
        using var z0 = StartNoise(seedA, imageShape, device);
        using var z1 = StartNoise(seedB, imageShape, device);
        var path = NoisePath.Between(z0[0], z1[0], frames, method);                     // (K, C, H, W)
        var parts = new List<Tensor>();
        double seconds = 0;
        for (long start = 0; start < frames; start += Pipelines.BatchedSampling.DefaultBatch)
        {
            var result = ddim.SampleFrom(epsModel, path.narrow(0, start, Math.Min(Pipelines.BatchedSampling.DefaultBatch, frames - start)), null);
            parts.Add(result.Samples);
            seconds += result.Seconds;
        }
        return new SamplerResult(cat(parts, 0).MoveToOuterDisposeScope(), ddim.FunctionEvaluations, seconds, new Dictionary<int, Tensor>());
    }

    public static InterpolationOutcome Run(RunDirectory run, InterpolationRequest request, Device device)
    {
        Limits.Check("--frames", request.Frames, 2, 1000);
        NoisePath.Validate(request.Method);
        string folder = Path.GetFullPath(request.Output ?? Path.Combine(run.Root, "interpolations",
            $"seed{request.SeedA}-seed{request.SeedB}-{request.Method}-{request.Frames}"));
        if (request.Output is not null && run.Owns(folder))
            throw new ConfigException($"--output {request.Output}: belongs to the run {run.Root}; write elsewhere (or leave --output out)");
        OutputTarget.RequireNewFolder(folder);
        using var model = ImageDdpmModel.Open(run, device, "interpolate");
        var spec = model.DeterministicDdim(request.Steps);
        var ddim = spec.Create(model.Diffusion);
        var result = Frames(ddim, model.Eps, model.ImageShape, device, request.SeedA, request.SeedB, request.Frames, request.Method);
        using var frames = result.Samples;
        Directory.CreateDirectory(folder);
        string strip = Path.Combine(folder, "strip.png"), gif = Path.Combine(folder, "frames.gif");
        var captions = Enumerable.Range(0, request.Frames).Select(i => i == 0 ? $"seed {request.SeedA}"
            : i == request.Frames - 1 ? $"seed {request.SeedB}" : $"{i / (double)(request.Frames - 1):0.##}").ToArray();
        ImageStrip.Save(strip, [($"{request.Method}, {spec.Label}", frames)], captions, scale: Math.Min(request.Scale, 3));
        GifAnimation.Save(gif, frames, request.Scale, request.DelayMs);
        var json = new Dictionary<string, object?>
        {
            ["run"] = run.Root, ["seeds"] = new[] { request.SeedA, request.SeedB }, ["frames"] = request.Frames, ["method"] = request.Method,
            ["sampler"] = spec, ["function_evaluations_per_frame"] = ddim.FunctionEvaluations, ["seconds"] = result.Seconds,
            ["same_as"] = $"gensharp sample {run.Root} --n 1 --seed A --sampler ddim --steps {spec.Steps} --eta 0 --spacing {spec.Spacing}",
        };
        AtomicFile.Write(Path.Combine(folder, "interpolation.json"),
            s => s.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(json, JsonDefaults.Options) + "\n")));
        return new InterpolationOutcome(folder, strip, gif, spec.Label, ddim.FunctionEvaluations, result.Seconds);
    }
}
