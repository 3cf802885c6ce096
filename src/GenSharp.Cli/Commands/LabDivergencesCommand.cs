using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GenSharp.Gan.Theory;
using GenSharp.Runtime;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp lab divergences</c>: KL, JS and W1 between N(theta, e^2) and N(theta0, e^2) as e -> 0.</summary>
public static class LabDivergencesCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var theta = new Option<double>("--theta") { Description = "Mean of the model distribution", DefaultValueFactory = _ => 1.0 };
        var theta0 = new Option<double>("--theta0") { Description = "Mean of the data distribution", DefaultValueFactory = _ => 0.0 };
        var es = new Option<double[]>("--e")
        {
            Description = "Standard deviations e to tabulate (repeat the option); default 1 .. 0.001",
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--out")
        {
            Description = "Folder for the figures and result.json",
            DefaultValueFactory = _ => "runs/lab-divergences",
        };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object" };
        var command = new Command("divergences",
            "KL, Jensen-Shannon and Wasserstein-1 between N(theta, e^2) and N(theta0, e^2) and their gradients in theta as e -> 0, " +
            "by quadrature beside the closed forms (KL = Delta^2/2e^2 explodes, JS -> log 2 with zero gradient, W1 = |Delta|); " +
            "figures in --out.\n\n" +
            "Examples:\n  gensharp lab divergences\n  gensharp lab divergences --theta 0.5 --e 0.1 0.01 --json");
        foreach (var o in new Option[] { theta, theta0, es, output, json }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize(common.Read(parse));
            var values = parse.GetValue(es);
            var r = DivergencesLab.Run(parse.GetValue(theta), parse.GetValue(theta0),
                values is { Length: > 0 } ? values : DivergencesLab.DefaultEs, parse.GetValue(output)!);
            string path = Path.Combine(parse.GetValue(output)!, "result.json");
            Training.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(r, JsonDefaults.Options) + "\n");
            var w = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                w.WriteLine(JsonSerializer.Serialize(r, JsonDefaults.Compact));
                return 0;
            }
            w.WriteLine($"P = N({r.Theta}, e^2), Q = N({r.Theta0}, e^2); numerical (quadrature) / closed form");
            w.WriteLine($"{"e",8} {"KL num",12} {"KL closed",12} {"dKL num",12} {"dKL closed",12} " +
                $"{"JS num",10} {"JS 1D-int",10} {"dJS num",11} {"W1 num",9} {"dW1 num",9}");
            foreach (var x in r.Rows)
                w.WriteLine($"{F(x.E),8} {F(x.Kl),12} {F(x.KlClosed),12} {F(x.KlGrad),12} {F(x.KlGradClosed),12} " +
                    $"{F(x.Js),10} {F(x.JsReduced),10} {F(x.JsGrad),11} {F(x.W1),9} {F(x.W1Grad),9}");
            w.WriteLine($"log 2 = {Math.Log(2):F6}; max relative KL error {r.MaxRelativeErrorKl:E2}, " +
                $"max |JS - 1D integral| {r.MaxAbsErrorJs:E2}, max |W1 - |Delta|| {r.MaxAbsErrorW1:E2}");
            foreach (var f in r.Figures) w.WriteLine($"figure: {f}");
            w.WriteLine($"wrote {path}");
            return 0;
        });
        return command;
    }

    private static string F(double v) => v.ToString("G5", CultureInfo.InvariantCulture);
}
