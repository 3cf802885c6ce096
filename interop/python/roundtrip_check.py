"""The PyTorch half of GenSharp's weight round trip (tests/GenSharp.Tests/Interop/PyTorchRoundTripTests.cs,
docs/interop.md#pytorch). Usage: python3 roundtrip_check.py FOLDER [FOLDER ...]

Each FOLDER holds a GenSharp export (export.json, model.safetensors, gensharp_pytorch.py) and inputs.safetensors.
For each folder this script writes
  pytorch_outputs.safetensors          the exported weights run by the loader's PyTorch module on the inputs
                                       (a ddpm-image export is also loaded into interop/python/unet_ref.py's UNet,
                                       the reference peer, as "<name>_reference")
  pytorch_weights.safetensors          a fresh PyTorch module of the same architecture (seeded, with its norm
                                       layers' affine parameters and running statistics perturbed away from 1 and 0)
  pytorch_weights_outputs.safetensors  that module's outputs on the same inputs
The C# side compares outputs; nothing here asserts, so that every difference is measured in one place."""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import unet_ref  # noqa: E402  (the reference peer, copied into the repository)


def forward(kind, model, inputs):
    """The outputs GenSharp's test computes with its own modules, by the same names."""
    if kind == "ddpm-image":
        return {"eps": model(inputs["x"], inputs["t"])}
    if kind == "ncsn-image":
        return {"score": model(inputs["x"], inputs["sigma"])}
    if kind == "vae-fmnist":
        mu, logvar = model.encoder(inputs["x"])
        return {"mu": mu, "logvar": logvar, "logits": model.decoder(inputs["z"])}
    if kind == "gan-fmnist":
        return {"image": model.generator(inputs["z"]), "logit": model.discriminator(inputs["x"])}
    raise ValueError(kind)


def perturb(model):
    """Moves normalisation parameters and running statistics off their initial 1 / 0 so that a mix-up shows."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.GroupNorm, torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                module.weight.add_(0.2 * torch.randn_like(module.weight))
                module.bias.add_(0.2 * torch.randn_like(module.bias))
            if isinstance(module, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                module.running_mean.copy_(0.1 * torch.randn_like(module.running_mean))
                module.running_var.copy_(0.5 + torch.rand_like(module.running_var))
                module.num_batches_tracked.fill_(7)
        for name, p in model.named_parameters():
            if name.endswith("log_sigma"):
                p.fill_(-1.5)


def check(folder):
    sys.path.insert(0, folder)
    import gensharp_pytorch as gp  # the loader the export wrote
    with open(os.path.join(folder, "export.json"), encoding="utf-8") as f:
        export = json.load(f)
    kind = export["model"]
    inputs, _ = gp.read_safetensors(os.path.join(folder, "inputs.safetensors"))
    model = gp.load(folder)
    with torch.no_grad():
        outputs = forward(kind, model, inputs)
        if kind == "ddpm-image":
            net = export["network"]
            reference = unet_ref.UNet(net["in_ch"], net["ch"], tuple(net["mults"]), net["num_res"], tuple(net["attn_res"]),
                                      net["res"], net["groups"], net["dropout"])
            state, _ = gp.read_safetensors(os.path.join(folder, "model.safetensors"))
            reference.load_state_dict(state, strict=True)
            outputs["eps_reference"] = reference.eval()(inputs["x"], inputs["t"])
    gp.write_safetensors(os.path.join(folder, "pytorch_outputs.safetensors"), outputs)

    torch.manual_seed(20261129)
    fresh = gp.build(export)
    perturb(fresh)
    fresh.eval()
    gp.write_safetensors(os.path.join(folder, "pytorch_weights.safetensors"), fresh.state_dict(), {"format": "pt"})
    with torch.no_grad():
        gp.write_safetensors(os.path.join(folder, "pytorch_weights_outputs.safetensors"), forward(kind, fresh, inputs))
    sys.path.remove(folder)
    del sys.modules["gensharp_pytorch"]
    print(f"{folder}: {kind} torch {torch.__version__}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    for path in sys.argv[1:]:
        check(path)
