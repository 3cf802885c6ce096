using System.Diagnostics;
using GenSharp.Tests.Cli;

namespace GenSharp.Tests.Reliability;

/// <summary>Items 5 and 6: an input that is a FIFO, a device or a link loop, or declares a huge size, is exit 2 at once.</summary>
public sealed class InputFileTests
{
    [Fact]
    public void SpecialFilesAsInputsAreRefusedWithinASecond()
    {
        string dir = SpecialFiles.TempDir();
        string fifo = SpecialFiles.Fifo(Path.Combine(dir, "fifo.csv"));
        string loop = SpecialFiles.LinkLoop(dir);
        var clock = Stopwatch.StartNew();
        foreach (string bad in new[] { fifo, loop, "/dev/zero" })
        {
            Assert.Throws<DataFileException>(() => GenSharp.Evaluation.FeatureCsv.Load(bad));
            Assert.Throws<DataFileException>(() => GenSharp.Data.IdxReader.Read(bad));
            Assert.Throws<DataFileException>(() => GenSharp.Data.Toy.ToyMixtureFile.Load(bad));
            Assert.Throws<CheckpointException>(() => GenSharp.Training.Safetensors.Load(bad));
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}"); // 12 refusals, none waits for a writer
        var (rc, _, err) = CliRunner.Run("eval", "fd", fifo, fifo);
        Assert.Equal(2, rc);
        Assert.Contains("FIFO", err);
    }

    [Fact]
    public void AFeatureCsvWithAMillionColumnsIsRefusedBeforeAnyMatrixIsBuilt()
    {
        string dir = SpecialFiles.TempDir();
        string row = string.Join(',', Enumerable.Repeat("1", 1_000_000));
        string a = Path.Combine(dir, "a.csv"), b = Path.Combine(dir, "b.csv");
        File.WriteAllText(a, row + "\n" + row + "\n");
        File.Copy(a, b);
        var (rc, _, err) = CliRunner.Run("eval", "fd", a, b);
        Assert.Equal(2, rc);
        Assert.Contains($"at most {Limits.MaxFeatureDims}", err);
    }

    [Fact]
    public void APngDeclaringAHugeImageIsRefusedFromItsHeader()
    {
        string dir = SpecialFiles.TempDir();
        using (var images = TorchSharp.torch.zeros(1, 1, 4, 4)) GenSharp.Output.ImageGrid.Save(images, Path.Combine(dir, "a.png"), columns: 1);
        byte[] png = File.ReadAllBytes(Path.Combine(dir, "a.png"));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 100_000); // IHDR width
        File.WriteAllBytes(Path.Combine(dir, "a.png"), png);
        var e = Assert.Throws<DataFileException>(() => GenSharp.Data.PngFolder.Load(dir));
        Assert.Contains("declares a 100000x", e.Message);
    }

    [Fact]
    public void AMixtureJsonThatIsNotUtf8IsADataErrorNotACrash()
    {
        // found by ReaderMutationTests (CsCheck seed 6pr40woUvS91): a 0xA2 byte inside the name string
        string path = Path.Combine(SpecialFiles.TempDir(), "m.json");
        byte[] good = """{"name": "mine", "components": [{"weight": 1, "mean": [0, 0], "cov": [[1, 0], [0, 1]]}]}"""u8.ToArray();
        byte[] bad = [.. good[..10], 0xA2, .. good[10..]];
        File.WriteAllBytes(path, bad);
        Assert.Contains("not UTF-8", Assert.Throws<DataFileException>(() => GenSharp.Data.Toy.ToyMixtureFile.Load(path)).Message);
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. good]); // a byte-order mark is fine
        Assert.Equal("mine", GenSharp.Data.Toy.ToyMixtureFile.Load(path).Name);
    }
}
