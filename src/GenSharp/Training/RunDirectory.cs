namespace GenSharp.Training;

/// <summary>
/// The folder a training run owns: <c>runs/&lt;name&gt;/</c> with <c>config.json</c>, <c>metrics.jsonl</c>,
/// <c>checkpoints/</c>, <c>samples/</c>, <c>plots/</c>, <c>report.html</c> and, after evaluation,
/// <c>eval.json</c>. Opening never deletes anything: a fresh run refuses a folder that already holds a
/// run, and only <c>--resume</c> continues one.
/// </summary>
public sealed class RunDirectory
{
    private RunDirectory(string root) => Root = System.IO.Path.GetFullPath(root);

    public string Root { get; }
    public string Name => System.IO.Path.GetFileName(Root.TrimEnd('/'));
    public string ConfigPath => System.IO.Path.Combine(Root, "config.json");
    public string MetricsPath => System.IO.Path.Combine(Root, "metrics.jsonl");

    /// <summary>Metrics measured on samples during training (one record per evaluation step).</summary>
    public string EvalCurvePath => System.IO.Path.Combine(Root, "eval_curve.jsonl");
    public string CheckpointsDir => System.IO.Path.Combine(Root, "checkpoints");
    public string SamplesDir => System.IO.Path.Combine(Root, "samples");
    public string PlotsDir => System.IO.Path.Combine(Root, "plots");
    public string ReportPath => System.IO.Path.Combine(Root, "report.html");
    public string EvalPath => System.IO.Path.Combine(Root, "eval.json");
    public string TensorBoardDir => System.IO.Path.Combine(Root, "tensorboard");

    public MetricsLog Metrics => new(MetricsPath);
    public MetricsLog EvalCurve => new(EvalCurvePath);

    /// <summary>Path of the checkpoint for a given step.</summary>
    public string CheckpointPath(long step) => System.IO.Path.Combine(CheckpointsDir, $"step-{step:D8}.safetensors");

    /// <summary>
    /// Creates a new run folder; refuses one that already holds a run, saying <paramref name="whenTaken"/>
    /// (default: the train commands' advice, --resume or another --name).
    /// </summary>
    public static RunDirectory Create(string root, string? whenTaken = null)
    {
        var run = new RunDirectory(root);
        if (File.Exists(run.ConfigPath))
            throw new ConfigException(
                $"run directory {run.Root} already holds a run; {whenTaken ?? "pass --resume to continue it, or choose another --name/--out"}");
        if (File.Exists(run.Root))
            throw new ConfigException($"{run.Root} is a file, not a run directory; choose another --name/--out");
        run.EnsureFolders();
        return run;
    }

    /// <summary>Opens an existing run (for resume, sample, eval); a clear error if it is not one.</summary>
    public static RunDirectory Open(string root)
    {
        var run = new RunDirectory(root);
        if (!Directory.Exists(run.Root))
            throw new ConfigException($"run directory {run.Root} does not exist; give the folder a `gensharp train` wrote (e.g. runs/NAME)");
        if (!File.Exists(run.ConfigPath))
            throw new ConfigException($"{run.Root} has no config.json, so it is not a GenSharp run directory");
        run.EnsureFolders();
        return run;
    }

    private void EnsureFolders()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(CheckpointsDir);
        Directory.CreateDirectory(SamplesDir);
        Directory.CreateDirectory(PlotsDir);
    }
}
