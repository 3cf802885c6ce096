using GenSharp.Diffusion;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Diffusion.Toy;
using GenSharp.Training;

namespace GenSharp.Tests.Cli;

/// <summary>
/// Sampler options on the command line: an option the chosen sampler does not read is refused, and every error names the
/// flag as typed on that command (<c>--steps</c> on sample/eval, <c>--sampler-steps</c> on train ddpm). The runs here
/// are a config.json only: the refusals come before any checkpoint is read.
/// </summary>
public sealed class SamplerCliTests
{
    private static string ImageRun(SamplerSpec sampler, int timesteps = 100)
    {
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-smp").FullName, "img"));
        RunConfigFile.Write(run, new ImageDdpmConfig { Schedule = new NoiseScheduleConfig(Timesteps: timesteps), Sampler = sampler });
        return run.Root;
    }

    private static string ToyRun()
    {
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-smp").FullName, "toy"));
        RunConfigFile.Write(run, new ToyDdpmConfig { Schedule = new NoiseScheduleConfig(Timesteps: 50) });
        return run.Root;
    }

    private static string Refused(params string[] args)
    {
        var (rc, output, err) = CliRunner.Run(args);
        Assert.True(rc == 2, $"exit {rc}: {output}{err}");
        Assert.Single(err.Trim().Split('\n'));
        return err;
    }

    [Theory]
    [InlineData("sample")]
    [InlineData("eval")]
    public void SampleAndEvalRefuseOptionsTheSamplerDoesNotRead(string verb)
    {
        string image = ImageRun(new SamplerSpec("ddim", 10));
        Assert.Contains("--eta 0.5: does not apply to the ddpm sampler", Refused(verb, image, "--sampler", "ddpm", "--eta", "0.5", "--quiet"));
        Assert.Contains("--steps 10: does not apply to the ddpm sampler: ddpm runs all 100 steps",
            Refused(verb, image, "--sampler", "ddpm", "--steps", "10", "--quiet"));
        // without --sampler the options describe the run's own sampler (ddim here, ancestral ddpm on a toy run)
        Assert.Contains("--variance foo: does not apply to the ddim sampler", Refused(verb, image, "--variance", "foo", "--quiet"));
        Assert.Contains("--variance foo: use beta or beta_tilde", Refused(verb, image, "--sampler", "ddpm", "--variance", "foo", "--quiet"));
        Assert.Contains("--variance foo: use beta or beta_tilde", Refused(verb, ToyRun(), "--variance", "foo", "--quiet"));
        Assert.Contains("--spacing leading: does not apply to the ddpm sampler", Refused(verb, ToyRun(), "--spacing", "leading", "--quiet"));
        Assert.Contains("--steps 101: must be between 1 and the 100", Refused(verb, image, "--steps", "101", "--quiet"));
        Assert.Contains("--sampler lms: unknown; use one of ddpm, ddim, dpmpp, dpmpp3, unipc, heun",
            Refused(verb, image, "--sampler", "lms", "--quiet"));
    }

    [Fact]
    public void SamplerOptionsOnAnNcsnRunPointToItsLangevinOptions()
    {
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-smp").FullName, "ncsn"));
        RunConfigFile.Write(run, new GenSharp.Score.Images.ImageNcsnConfig());
        string err = Refused("sample", run.Root, "--steps", "10", "--quiet");
        Assert.Contains("--steps: applies to DDPM runs (diffusion samplers); this run is 'ncsn-image'", err);
        Assert.Contains("annealed Langevin dynamics (--T, --eps, --levels-used, --no-denoise)", err);
    }

    [Fact]
    public void TrainDdpmNamesItsOwnSamplerFlags()
    {
        string runs = TestTemp.Directory("gensharp-smp").FullName;
        string[] train = ["train", "ddpm", "--runs", runs, "--data", "fashion-mnist", "--timesteps", "20", "--quiet"];
        Assert.Contains("--sampler-steps 50: must be between 1 and the 20", Refused([.. train, "--sampler-steps", "50"]));
        Assert.Contains("--sampler-steps 10: does not apply to the ddpm sampler", Refused([.. train, "--sampler", "ddpm", "--sampler-steps", "10"]));
        Assert.Contains("--sampler-variance beta_tilde: does not apply to the ddim sampler", Refused([.. train,
            "--sampler-variance", "beta_tilde"]));
        Assert.Contains("--sampler-variance foo: use beta or beta_tilde", Refused([.. train, "--sampler", "ddpm", "--sampler-variance", "foo"]));
        Assert.Contains("--eta 0.5: does not apply to the dpmpp sampler", Refused([.. train, "--sampler", "dpmpp", "--eta", "0.5"]));
        Assert.Contains("--eta 50: too large", Refused([.. train, "--sampler-steps", "5", "--eta", "50"]));
        Assert.Empty(Directory.GetDirectories(runs));
    }
}
