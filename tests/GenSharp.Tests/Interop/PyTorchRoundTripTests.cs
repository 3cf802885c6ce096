using GenSharp.Gan;
using GenSharp.Interop;
using GenSharp.Nn;
using GenSharp.Training;
using GenSharp.Vae;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Interop;

/// <summary>
/// The weight round trip with PyTorch itself (docs/interop.md#pytorch): every GenSharp network family is exported, loaded by the
/// exported Python loader (and a DDPM U-Net also by the reference peer interop/python/unet_ref.py) and run on the same inputs;
/// then weights made by PyTorch are loaded into GenSharp and run again. Outputs must agree to 1e-5 both ways: max absolute
/// difference at most 1e-5 x max(1, max |output|), i.e. absolute for outputs of unit scale (the U-Net's noise prediction) and
/// relative for larger ones (NCSN's score u / sigma is the U-Net's output divided by sigma = 0.05, which scales its rounding by 20).
/// Runs python3 with torch as a subprocess (interop/python/roundtrip_check.py), once for all families.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PyTorchRoundTripTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private sealed record Case(string Name, PyTorchArchitecture Architecture, Func<nn.Module> Create, Dictionary<string, Tensor> Inputs,
        Func<nn.Module, Dictionary<string, Tensor>, Dictionary<string, Tensor>> Forward);

    [SkippableFact]
    public void EveryFamilyRoundTripsThroughPyTorchTo1e5()
    {
        string? python = PythonTorch.Interpreter;
        Skip.If(python is null, PythonTorch.Missing);
        manual_seed(7);
        var x = randn(2, 1, 28, 28);
        var unet = new UNetConfig();
        var vaeFlat = new VaeNetworkConfig();
        var vaeSpatial = new VaeNetworkConfig(FlatDim: 0);
        var gan = new GanNetworksConfig();
        var cases = new List<Case>
        {
            new("ddpm", PyTorchArchitecture.Ddpm(unet), () => new UNet(unet),
                new() { ["x"] = x, ["t"] = tensor(new long[] { 3, 917 }) },
                (m, i) => new() { ["eps"] = ((UNet)m).call(i["x"], i["t"]) }),
            new("ncsn", PyTorchArchitecture.Ncsn(unet), () => new UNetScoreNetwork(unet),
                new() { ["x"] = x, ["sigma"] = tensor(new float[] { 0.05f, 4.0f }) },
                (m, i) => new() { ["score"] = ((UNetScoreNetwork)m).call(i["x"], i["sigma"]) }),
            new("vae-flat", PyTorchArchitecture.Vae(vaeFlat), () => new VariationalAutoencoder(vaeFlat),
                new() { ["x"] = x, ["z"] = randn(2, 16) }, VaeForward),
            new("vae-spatial", PyTorchArchitecture.Vae(vaeSpatial), () => new VariationalAutoencoder(vaeSpatial),
                new() { ["x"] = x, ["z"] = randn(2, 4, 7, 7) }, VaeForward),
            new("gan", PyTorchArchitecture.Gan(gan), () => new GanPair(gan),
                new() { ["x"] = x, ["z"] = randn(2, 64) },
                (m, i) => new() { ["image"] = ((GanPair)m).Generator.call(i["z"]), ["logit"] = ((GanPair)m).Discriminator.call(i["x"]) }),
        };

        string root = TestTemp.Directory("gensharp-pytorch").FullName;
        var ours = new Dictionary<string, Dictionary<string, Tensor>>();
        foreach (var c in cases)
        {
            string folder = Path.Combine(root, c.Name);
            using var module = c.Create();
            Perturb(module);
            module.eval();
            PyTorchExport.Write(folder, c.Architecture, module, force: false);
            Safetensors.Save(Path.Combine(folder, "inputs.safetensors"), c.Inputs);
            using (no_grad()) ours[c.Name] = c.Forward(module, c.Inputs);
        }

        string script = Path.Combine(Evaluation.FeatureClassifierTests.RepositoryRoot(), "interop", "python", "roundtrip_check.py");
        var (code, stdout, stderr) = PythonTorch.Run(python!, [script, .. cases.Select(c => Path.Combine(root, c.Name))]);
        output.WriteLine(stdout);
        Assert.True(code == 0, $"{script} exited {code}: {stderr}");

        foreach (var c in cases)
        {
            string folder = Path.Combine(root, c.Name);
            // GenSharp -> PyTorch: the exported weights in PyTorch give GenSharp's outputs
            using (var theirs = Safetensors.Load(Path.Combine(folder, "pytorch_outputs.safetensors")))
            {
                foreach (var (name, mine) in ours[c.Name])
                {
                    Compare($"{c.Name} GenSharp->PyTorch {name}", mine, theirs.Tensors[name]);
                    if (theirs.Tensors.TryGetValue(name + "_reference", out var reference))
                        Compare($"{c.Name} GenSharp->unet_ref.py {name}", mine, reference);
                }
            }
            // PyTorch -> GenSharp: PyTorch's weights in GenSharp give PyTorch's outputs
            using var module = c.Create();
            PyTorchWeights.Load(module, Path.Combine(folder, "pytorch_weights.safetensors"));
            module.eval();
            using var expected = Safetensors.Load(Path.Combine(folder, "pytorch_weights_outputs.safetensors"));
            using (no_grad())
                foreach (var (name, mine) in c.Forward(module, c.Inputs))
                    Compare($"{c.Name} PyTorch->GenSharp {name}", mine, expected.Tensors[name]);
        }
    }

    private static Dictionary<string, Tensor> VaeForward(nn.Module m, Dictionary<string, Tensor> i)
    {
        var vae = (VariationalAutoencoder)m;
        var (mu, logVar) = vae.Encoder.call(i["x"]);
        return new() { ["mu"] = mu, ["logvar"] = logVar, ["logits"] = vae.Decoder.call(i["z"]) };
    }

    private void Compare(string what, Tensor mine, Tensor theirs)
    {
        Assert.Equal(mine.shape, theirs.shape);
        double diff = (mine - theirs).abs().max().item<float>();
        double scale = mine.abs().max().item<float>();
        output.WriteLine($"{what}: max |diff| {diff:E2} (max |value| {scale:G3})");
        Assert.True(diff <= Tolerance * Math.Max(1, scale), $"{what}: max |diff| {diff:E3} > {Tolerance} x max(1, {scale:G3})");
        Assert.True(scale > 1e-3, $"{what}: outputs are all ~0, the comparison would prove nothing");
    }

    /// <summary>Moves every weight off its initial value (norm layers off 1 and 0; BatchNorm statistics off 0 and 1).</summary>
    private static void Perturb(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (name, t) in module.state_dict())
        {
            if (!t.is_floating_point()) { t.fill_(5); continue; } // num_batches_tracked
            if (name.EndsWith("running_var", StringComparison.Ordinal)) t.copy_(rand_like(t) + 0.5);
            else t.add_(randn_like(t) * 0.1);
        }
    }
}
