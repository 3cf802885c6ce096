using System.Diagnostics;
using System.IO.Compression;
using CsCheck;
using GenSharp.Data;
using GenSharp.Data.Toy;
using GenSharp.Evaluation;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Tests.Reliability;

/// <summary>
/// Mutation testing of every reader: thousands of mutants of a valid file each end in a result or a clean
/// <see cref="GenSharpException"/> (exit 2 at the command line), never another exception, a hang (each case under
/// 2 s) or a leaked file handle (no descriptor of the process may still point into the test's folder afterwards).
/// </summary>
[Trait("Category", "Slow")]
public sealed class ReaderMutationTests
{
    private const int Iterations = 2000;

    private static void Check(byte[] seed, string fileName, Action<string> read, int iterations = Iterations)
    {
        string dir = SpecialFiles.TempDir();
        string path = Path.Combine(dir, fileName);
        int clean = 0, refused = 0;
        Mutations.Of(seed).Sample(bytes =>
        {
            File.WriteAllBytes(path, bytes);
            var clock = Stopwatch.StartNew();
            try { read(path); clean++; }
            catch (GenSharpException) { refused++; }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"one read took {clock.Elapsed}");
        }, iter: iterations, threads: 1);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(0, HandlesInto(dir));
        Assert.True(refused > iterations / 4, $"only {refused} of {iterations} mutants refused: the mutations are too weak");
        Console.WriteLine($"{fileName}: {iterations} mutants, {clean} read, {refused} refused cleanly");
    }

    /// <summary>Open descriptors of this process on files under <paramref name="dir"/>.</summary>
    private static int HandlesInto(string dir) => Directory.GetFiles("/proc/self/fd").Count(fd =>
    {
        try { return new FileInfo(fd).LinkTarget?.StartsWith(dir, StringComparison.Ordinal) == true; }
        catch (IOException) { return false; } // closed while we looked
    });

    [Fact]
    public void Safetensors()
    {
        string dir = SpecialFiles.TempDir();
        string seed = Path.Combine(dir, "seed.safetensors");
        using (var a = arange(6, dtype: ScalarType.Float32).reshape(2, 3))
        using (var b = tensor(new long[] { 7, -1 }))
            GenSharp.Training.Safetensors.Save(seed, [new("a", a), new("b", b)], new Dictionary<string, string> { ["step"] = "3" });
        Check(File.ReadAllBytes(seed), "m.safetensors", p => { using var c = GenSharp.Training.Safetensors.Load(p); });
    }

    [Fact]
    public void Idx()
    {
        byte[] raw = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3, .. Enumerable.Range(0, 18).Select(i => (byte)i)];
        Check(raw, "m-idx", p => IdxReader.Read(p));
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        Check(gz.ToArray(), "m-idx.gz", p => IdxReader.Read(p), Iterations / 2);
    }

    [Fact]
    public void PngFolder()
    {
        using var images = linspace(-1, 1, 2 * 3 * 5 * 4).reshape(2, 3, 5, 4);
        byte[] seed = GenSharp.Output.ImageGrid.EncodePng(images.narrow(0, 0, 1), columns: 1, padding: 0);
        Check(seed, "m.png", p => { using var d = GenSharp.Data.PngFolder.Load(Path.GetDirectoryName(p)!); }, Iterations / 2);
    }

    [Fact]
    public void MixtureJson()
    {
        byte[] seed = """
            {"name": "mine", "components": [
              {"weight": 0.6, "mean": [0, 0],  "cov": [[1, 0.3], [0.3, 2]]},
              {"weight": 0.4, "mean": [6, -2], "cov": [[0.5, 0], [0, 0.5]]}]}
            """u8.ToArray();
        Check(seed, "m.json", p => ToyMixtureFile.Load(p));
    }

    [Fact]
    public void FeatureCsv()
    {
        byte[] seed = "f0,f1,f2\n1,2,3\n4.5,-5,6e-3\n7,8,9\n"u8.ToArray();
        Check(seed, "m.csv", p => { using var t = GenSharp.Evaluation.FeatureCsv.Load(p); });
    }
}
