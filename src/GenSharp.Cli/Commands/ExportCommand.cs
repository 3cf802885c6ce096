using System.CommandLine;
using GenSharp.Interop;
using GenSharp.Runtime;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary>
/// <c>gensharp export RUN --format pytorch|diffusers-scheduler</c>: a trained run's network for PyTorch (plain safetensors with
/// PyTorch's names, export.json and the one-file loader gensharp_pytorch.py), or a DDPM run's noise process and sampler as a
/// diffusers scheduler_config.json (docs/interop.md).
/// </summary>
public static class ExportCommand
{
    public const string PyTorch = "pytorch";
    public const string DiffusersScheduler = "diffusers-scheduler";

    public static Command Build()
    {
        var common = new CommonOptions();
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run directory written by gensharp train" };
        var format = new Option<string>("--format")
        {
            Description = $"{PyTorch}: the network (ddpm, ncsn, vae and gan image runs) as safetensors with PyTorch's names, export.json and " +
                $"the Python loader gensharp_pytorch.py; {DiffusersScheduler}: a DDPM run's schedule and sampler as scheduler_config.json",
            Required = true,
        };
        format.AcceptOnlyFromAmong(PyTorch, DiffusersScheduler);
        var outDir = new Option<string?>("--out", "-o")
        {
            Description = "Output folder (created when missing; default RUN_DIR-pytorch or RUN_DIR-scheduler beside the run)"
        };
        var force = new Option<bool>("--force") { Description = "Overwrite files of an earlier export in the output folder" };
        var command = new Command("export", "Export a trained run for PyTorch or diffusers (docs/interop.md). Never overwrites an " +
            "existing file without --force.\n\nExamples:\n  gensharp export runs/ddpm-fashion-mnist --format pytorch -o fm-unet\n" +
            "  python3 -c \"import sys; sys.path.insert(0, 'fm-unet'); import gensharp_pytorch as g; print(g.load('fm-unet'))\"\n" +
            "  gensharp export runs/ddpm-fashion-mnist --format diffusers-scheduler -o fm-scheduler\n" +
            "  gensharp train ddpm --data fashion-mnist --scheduler-config fm-scheduler/scheduler_config.json");
        command.Arguments.Add(runDir);
        foreach (var o in new Option[] { format, outDir, force }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize(common.Read(parse));
            var run = RunDirectory.Open(parse.GetValue(runDir)!);
            string kind = parse.GetValue(format)!;
            string folder = parse.GetValue(outDir) ?? run.Root.TrimEnd('/') + (kind == PyTorch ? "-pytorch" : "-scheduler");
            var w = parse.InvocationConfiguration.Output;
            if (kind == PyTorch)
            {
                foreach (string file in PyTorchExport.FromRun(run, folder, parse.GetValue(force))) w.WriteLine($"wrote {file}");
                w.WriteLine($"load it: sys.path.insert(0, '{folder}'); import gensharp_pytorch; model = gensharp_pytorch.load('{folder}')");
            }
            else
            {
                var (path, notes) = DiffusersSchedulerWriter.FromRun(run, folder, parse.GetValue(force));
                w.WriteLine($"wrote {path}");
                foreach (string note in notes) w.WriteLine(note);
            }
            return 0;
        });
        return command;
    }
}
