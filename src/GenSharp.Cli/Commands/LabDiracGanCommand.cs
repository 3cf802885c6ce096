using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GenSharp.Gan.Theory;
using GenSharp.Runtime;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp lab dirac-gan</c>: simultaneous vs alternating gradient descent on the Dirac-GAN, with and without instance noise.</summary>
public static class LabDiracGanCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var d = new DiracGanLab.Options();
        var loss = new Option<string>("--loss") { Description = "ns, minimax or wgan", DefaultValueFactory = _ => d.Loss };
        var h = new Option<double>("--h") { Description = "Step size h", DefaultValueFactory = _ => d.H };
        var steps = new Option<int>("--steps") { Description = "Gradient steps", DefaultValueFactory = _ => d.Steps };
        var noise = new Option<double>("--instance-noise")
        {
            Description = "Instance-noise sigma of the third run (0 = skip it)",
            DefaultValueFactory = _ => d.InstanceNoise,
        };
        var theta0 = new Option<double>("--theta0") { Description = "Initial generator parameter theta", DefaultValueFactory = _ => d.Theta0 };
        var psi0 = new Option<double>("--psi0") { Description = "Initial discriminator parameter psi", DefaultValueFactory = _ => d.Psi0 };
        var output = new Option<string>("--out")
        {
            Description = "Folder for the figures and result.json",
            DefaultValueFactory = _ => "runs/lab-dirac-gan",
        };
        var json = new Option<bool>("--json") { Description = "Print the result (without trajectories) as one JSON object" };
        var command = new Command("dirac-gan",
            "The Dirac-GAN (data delta(0), generator delta(x - theta), D(x) = psi x): simultaneous and alternating gradient descent, " +
            "optionally instance noise; theta^2 + psi^2 over time, the phase portrait, and the update Jacobians' eigenvalues " +
            "at the equilibrium, numerical vs closed form.\n\n" +
            "Examples:\n  gensharp lab dirac-gan\n  gensharp lab dirac-gan --loss wgan --h 0.05 --steps 1000 --json\n" +
            "  gensharp lab dirac-gan --instance-noise 1.0");
        foreach (var o in new Option[] { loss, h, steps, noise, theta0, psi0, output, json }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize(common.Read(parse));
            var o = new DiracGanLab.Options(parse.GetValue(loss)!, parse.GetValue(h), parse.GetValue(steps),
                parse.GetValue(noise), parse.GetValue(theta0), parse.GetValue(psi0));
            var r = DiracGanLab.Run(o, parse.GetValue(output)!);
            var summary = Summary(r);
            string path = Path.Combine(parse.GetValue(output)!, $"result-{o.Loss}.json");
            Training.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(r, JsonDefaults.Options) + "\n");
            var w = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                w.WriteLine(JsonSerializer.Serialize(summary, JsonDefaults.Compact));
                return 0;
            }
            w.WriteLine($"Dirac-GAN, loss {r.Loss}, h = {F(r.H)}, f'(0) = {F(r.FPrime0)}, " +
                $"start (theta, psi) = ({F(r.Theta0)}, {F(r.Psi0)}), {r.Steps} steps");
            foreach (var s in new[] { r.Simultaneous, r.Alternating, r.WithInstanceNoise }.OfType<DiracGanLab.Scheme>())
            {
                w.WriteLine($"  {s.Name}: theta^2 + psi^2 {F(s.RadiusSquaredStart)} -> {F(s.RadiusSquaredEnd)}, " +
                    $"grew on {s.FractionOfStepsRadiusGrew:P1} of steps");
                w.WriteLine($"    eigenvalues (numerical):   {string.Join(", ", s.EigenvaluesNumerical.Select(E))}");
                w.WriteLine($"    eigenvalues (closed form): {string.Join(", ", s.EigenvaluesClosedForm.Select(E))}   " +
                    $"max |difference| {s.MaxEigenvalueError:E2}");
            }
            w.WriteLine($"  continuous dynamics (RK4): theta^2 + psi^2 {F(r.Theta0 * r.Theta0 + r.Psi0 * r.Psi0)} -> " +
                $"{F(r.ContinuousRadiusSquaredEnd)} (relative change {r.ContinuousRelativeDrift:E2})");
            foreach (var f in r.Figures) w.WriteLine($"figure: {f}");
            w.WriteLine($"wrote {path}");
            return 0;
        });
        return command;
    }

    /// <summary>The result without the trajectories (for --json).</summary>
    private static object Summary(DiracGanLab.Result r)
    {
        object S(DiracGanLab.Scheme? s) => s is null ? null! : new
        {
            s.Name, s.InstanceNoise, s.RadiusSquaredStart, s.RadiusSquaredEnd, s.FractionOfStepsRadiusGrew, s.RadiusGrewEveryStep,
            s.EigenvaluesNumerical, s.EigenvaluesClosedForm, s.MaxEigenvalueError,
            MaxModulusDeviationFromOne = s.EigenvaluesNumerical.Max(e => Math.Abs(e.Abs - 1)),
        };
        return new
        {
            r.Loss, r.H, r.Steps, r.FPrime0, r.Theta0, r.Psi0,
            Simultaneous = S(r.Simultaneous), Alternating = S(r.Alternating), WithInstanceNoise = S(r.WithInstanceNoise),
            r.ContinuousRadiusSquaredEnd, r.ContinuousRelativeDrift, r.Figures,
        };
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static string E(DiracGanLab.Eigen e) => $"{F(e.Re)}{(e.Im >= 0 ? "+" : "-")}{F(Math.Abs(e.Im))}i (|.|={e.Abs:F9})";
}
