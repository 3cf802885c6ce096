using System.Buffers.Binary;
using System.Text.Json;
using GenSharp.Data;
using GenSharp.Output;
using GenSharp.Tests.Cli;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Tests.Output;

/// <summary>
/// `--tensorboard` event files parse as TensorBoard parses them (<see cref="TfEventReader"/>, independent of the writer): every
/// record's framing and CRCs, the file version, the scalars of metrics.jsonl by tag and step, and the sample grids as image summaries.
/// </summary>
public sealed class TensorBoardEventFileTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Crc32CMatchesItsPublishedCheckValues()
    {
        Assert.Equal(0xE3069283u, TfEventReader.Crc32C("123456789"u8)); // the CRC catalogue's check value of CRC-32C
        Assert.Equal(0x8A9136AAu, TfEventReader.Crc32C(new byte[32])); // RFC 3720, B.4: 32 bytes of zeros
        Assert.Equal(0x62A8AB43u, TfEventReader.Crc32C(Enumerable.Repeat((byte)0xFF, 32).ToArray())); // RFC 3720: 32 bytes of 0xFF
    }

    [Fact]
    public void WriterOutputDecodesToTheScalarsAndImageItWasGiven()
    {
        string dir = TestTemp.Directory("gensharp-tb").FullName;
        string png = Path.Combine(dir, "grid.png");
        using (var images = linspace(-1, 1, 4 * 28 * 28).reshape(4, 1, 28, 28)) ImageGrid.Save(images, png, columns: 2);
        var writer = TorchSharp.torch.utils.tensorboard.SummaryWriter(Path.Combine(dir, "tb"));
        writer.add_scalar("loss", 0.25f, 10);
        writer.add_scalar("lr", 1e-3f, 10);
        writer.add_img("samples", png, 20);

        var events = TfEventReader.Read(Directory.GetFiles(Path.Combine(dir, "tb")).Single());
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = events.SelectMany(e => e.Values.Where(v => v.SimpleValue is not null).Select(v => (e.Step, v.Tag, v.SimpleValue))).ToList();
        Assert.Equal([(10L, "loss", 0.25f), (10L, "lr", 1e-3f)], scalars.Select(s => (s.Step, s.Tag, s.SimpleValue!.Value)));
        var image = events.Single(e => e.Values.Any(v => v.Image is not null));
        Assert.Equal(20, image.Step);
        AssertImageOf(image.Values.Single().Image!, png);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ToyRunWritesEveryLoggedScalarAndTheSampleFigures()
    {
        string runs = TestTemp.Directory("gensharp-tb-toy").FullName;
        var train = CliRunner.Run("train", "ddpm", "--data", "toy:mog2", "--steps", "100", "--timesteps", "50", "--batch", "128",
            "--log-every", "10", "--sample-every", "50", "--eval-every", "0", "--checkpoint-every", "100", "--final-eval-n", "1000", "--tensorboard",
            "--runs", runs, "--name", "tb", "--threads", "2", "--quiet");
        Assert.True(train.ExitCode == 0, train.Err + train.Out);
        var run = RunDirectory.Open(Path.Combine(runs, "tb"));
        var events = TfEventReader.Read(Directory.GetFiles(run.TensorBoardDir, "events.out.tfevents.*").Single());
        AssertScalarsMatchMetrics(events, run);
        AssertImagesMatchGrids(events, run, [50, 100]);
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void ImageRunWritesTheSampleGridsAsImages()
    {
        Skip.IfNot(FashionMnist.IsAvailable(), "Fashion-MNIST is not installed (build/setup-debian.sh installs dataset-fashion-mnist)");
        string runs = TestTemp.Directory("gensharp-tb-img").FullName;
        var train = CliRunner.Run("train", "ddpm", "--data", "fashion-mnist", "--steps", "20", "--batch", "8", "--ch", "8", "--mults", "1,2",
            "--attn", "none", "--timesteps", "50", "--sample-every", "10", "--eval-every", "0", "--final-eval-n", "0", "--sampler-steps", "5",
            "--checkpoint-every", "20", "--log-every", "5", "--tensorboard", "--runs", runs, "--name", "tb", "--threads", "2", "--quiet");
        Assert.True(train.ExitCode == 0, train.Err + train.Out);
        var run = RunDirectory.Open(Path.Combine(runs, "tb"));
        var events = TfEventReader.Read(Directory.GetFiles(run.TensorBoardDir, "events.out.tfevents.*").Single());
        AssertScalarsMatchMetrics(events, run);
        AssertImagesMatchGrids(events, run, [10, 20]);
    }

    /// <summary>Each numeric field of each metrics.jsonl row is one scalar event with that tag at that step, equal as a float.</summary>
    private static void AssertScalarsMatchMetrics(List<TfEventReader.Event> events, RunDirectory run)
    {
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = events
            .SelectMany(e => e.Values.Where(v => v.SimpleValue is not null).Select(v => (e.Step, v.Tag, Value: v.SimpleValue!.Value)))
            .ToList();
        var expected = new List<(long, string, float)>();
        foreach (var row in run.Metrics.ReadAll())
        {
            long step = row.GetProperty("step").GetInt64();
            foreach (var p in row.EnumerateObject())
                if (p.Name != "step" && p.Value.ValueKind == JsonValueKind.Number) expected.Add((step, p.Name, (float)p.Value.GetDouble()));
        }
        Assert.Contains(expected, e => e.Item2 == "loss");
        Assert.Equal(expected, scalars);
        double now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(events.Skip(1), e => Assert.InRange(e.WallTime, now - 3600, now + 60)); // seconds since 1970, as TensorBoard reads them
    }

    private static void AssertImagesMatchGrids(List<TfEventReader.Event> events, RunDirectory run, long[] steps)
    {
        var images = events.SelectMany(e => e.Values.Where(v => v.Image is not null).Select(v => (e.Step, v.Tag, v.Image!))).ToList();
        Assert.Equal(steps, images.Select(i => i.Step));
        Assert.All(images, i => Assert.Equal("samples", i.Tag));
        foreach (var (step, _, image) in images) AssertImageOf(image, Path.Combine(run.SamplesDir, $"step-{step:D8}.png"));
    }

    /// <summary>The summary holds a PNG of the file's size (read from the file's IHDR chunk) and says so in its height and width.</summary>
    private static void AssertImageOf(TfEventReader.ImageValue image, string png)
    {
        byte[] file = File.ReadAllBytes(png);
        int width = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(16, 4)), height = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(20, 4));
        Assert.Equal((height, width), (image.Height, image.Width));
        Assert.True(image.Colorspace is 1 or 2 or 3 or 4, $"colorspace {image.Colorspace}");
        Assert.Equal(PngSignature, image.Encoded.Take(8));
        Assert.Equal((width, height), (BinaryPrimitives.ReadInt32BigEndian(image.Encoded.AsSpan(16, 4)),
            BinaryPrimitives.ReadInt32BigEndian(image.Encoded.AsSpan(20, 4))));
    }
}
