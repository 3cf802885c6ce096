using System.CommandLine;
using GenSharp.Pipelines;
using GenSharp.Runtime;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Cli;

/// <summary>
/// The action of a <c>train</c> sub-command of an image family on <see cref="ImageRunPipeline{TConfig, TNet}"/> (NCSN, VDM): resume the
/// named run, or build its config from the options (checked before any data are read), resolve it and create the run; then train,
/// evaluate and print where the run is. The command supplies only how its options make a config.
/// </summary>
public static class ImageTrainAction
{
    /// <param name="family">the family (its <c>Kind</c> and <c>Verb</c> name the run and its resume)</param>
    /// <param name="article">the family in a sentence, e.g. "an NCSN"</param>
    /// <param name="build">the new run's config from the options and the <c>--data</c> value</param>
    public static int Run<TConfig, TNet>(ParseResult parse, IImageFamily<TConfig, TNet> family, string article, CommonOptions common,
        RunCliOptions runOptions, TrainingCliOptions training, TConfig defaults, Func<string, TConfig> build)
        where TConfig : ImageRunConfig
        where TNet : nn.Module
    {
        var device = TorchRuntime.Initialize(common.Read(parse));
        string dataSpec = parse.GetValue(training.Data) ?? defaults.Training.Data;
        string root = runOptions.Root(parse, family.Verb + "-" + RunNames.FromData(dataSpec));
        bool resume = parse.GetValue(runOptions.Resume);
        RunDirectory run;
        if (resume)
            run = RunCliOptions.OpenForResume(root, article, parse.GetValue(training.Steps), parse.InvocationConfiguration.Output, family.Kind).Run;
        else
        {
            var config = build(dataSpec);
            config.Validate(); // everything that can be checked without data is checked before the data are read
            config = ImageRunPipeline<TConfig, TNet>.Resolve(family, config, device);
            run = RunDirectory.Create(root);
            RunConfigFile.Write(run, config);
        }
        var outcome = ImageRunPipeline<TConfig, TNet>.Train(family, (TConfig)RunConfigFile.Read<TConfig>(run).Validate(), run, device, resume,
            parse.GetValue(runOptions.Quiet), parse.InvocationConfiguration.Error);
        return RunCliOptions.Finish(parse, run, outcome);
    }
}
