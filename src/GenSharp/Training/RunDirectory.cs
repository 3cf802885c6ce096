namespace GenSharp.Training;

/// <summary>
/// The folder a training run owns: <c>runs/&lt;name&gt;/</c> with <c>config.json</c>, <c>metrics.jsonl</c>,
/// <c>checkpoints/</c>, <c>samples/</c>, <c>plots/</c>, <c>report.html</c> and, after evaluation,
/// <c>eval.json</c>. Opening never deletes anything: a fresh run refuses a folder that already holds a
/// run, and only <c>--resume</c> continues one. A fresh run is only made in a missing or empty folder (never in a folder of
/// someone else's files). Writers (<see cref="Create"/>, <see cref="OpenForTraining"/>) hold <see cref="RunLock"/> until
/// the command's <see cref="RunSession"/> ends.
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
        var kind = Files.FileKinds.Of(run.Root);
        if (kind is not (Files.FileKind.Missing or Files.FileKind.Directory))
            throw new ConfigException($"{run.Root} is {Files.FileKinds.Describe(kind)}, not a run directory; choose another --name/--out");
        bool created = kind == Files.FileKind.Missing;
        if (File.Exists(run.ConfigPath)) throw Taken(run, whenTaken);
        if (!created && !File.Exists(System.IO.Path.Combine(run.Root, RunLock.FileName))) RefuseForeign(run);
        Directory.CreateDirectory(run.Root);
        RunSession.LockIfInSession(run.Root); // a second writer stops here, told the holder's PID
        if (File.Exists(run.ConfigPath)) throw Taken(run, whenTaken);
        if (!created) RefuseForeign(run);
        if (created) RunSession.Created(run);
        run.EnsureFolders();
        return run;
    }

    /// <summary><see cref="Open"/> for a writer (<c>train --resume</c>): also takes the run's <see cref="RunLock"/>.</summary>
    public static RunDirectory OpenForTraining(string root)
    {
        var run = Open(root);
        RunSession.LockIfInSession(run.Root);
        return run;
    }

    /// <summary>
    /// True when <paramref name="path"/> is the run folder itself or one of the files and folders the run owns (config,
    /// metrics, checkpoints, plots, report, eval, mixture copy, lock); an <c>-o</c> output may never be one of them.
    /// </summary>
    public bool Owns(string path)
    {
        string full = System.IO.Path.GetFullPath(path).TrimEnd('/');
        if (full == Root.TrimEnd('/')) return true;
        string relative = System.IO.Path.GetRelativePath(Root, full);
        if (relative.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative)) return false;
        string first = relative.Split('/')[0];
        return first != "samples" || relative == "samples";
    }

    private static ConfigException Taken(RunDirectory run, string? whenTaken) => new(
        $"run directory {run.Root} already holds a run; {whenTaken ?? "pass --resume to continue it, or choose another --name/--out"}");

    private static void RefuseForeign(RunDirectory run)
    {
        if (Directory.EnumerateFileSystemEntries(run.Root).Any(e => !IsLockFile(e)))
            throw new ConfigException($"{run.Root} is an existing folder that is not a GenSharp run (no config.json); " +
                "choose another --name/--out, GenSharp only creates runs in new or empty folders");
    }

    private static bool IsLockFile(string path) => System.IO.Path.GetFileName(path) is RunLock.FileName or RunLock.PidFileName;

    /// <summary>Opens an existing run (for resume, sample, eval); a clear error if it is not one.</summary>
    public static RunDirectory Open(string root)
    {
        var run = new RunDirectory(root);
        if (!Directory.Exists(run.Root))
            throw new ConfigException($"run directory {run.Root} does not exist; give the folder a `gensharp train` wrote (e.g. runs/NAME)");
        if (!File.Exists(run.ConfigPath))
            throw new ConfigException($"{run.Root} has no config.json, so it is not a GenSharp run directory");
        Files.InputFile.Require(run.ConfigPath, m => new ConfigException(m));
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
