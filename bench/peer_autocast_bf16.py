"""Runs the PyTorch peer's ddpm_step.py unchanged, with its U-Net's forward under
torch.autocast("cpu", dtype=torch.bfloat16): the bf16 mixed-precision counterpart of
`gensharp bench unet-step --precision bf16` (fp32 weights and AdamW, bf16 convolutions and matmuls,
loss in fp32, backward outside the autocast region as PyTorch recommends).

PyTorch 1.13's CPU group_norm cannot take a bf16 input with fp32 affine parameters ("expected scalar
type BFloat16 but found Float"), and 1.13's CPU autocast has no policy for it, so GroupNorm runs in
fp32 here (input cast up, autocast off inside it), which is autocast's own policy for norms on CUDA.
GenSharp's bf16 working copy runs GroupNorm in bf16 (TorchSharp/libtorch 2.10 supports it).

Usage: python3 bench/peer_autocast_bf16.py PEER_DIR/ddpm_step.py [ddpm_step.py's options]
Prints ddpm_step.py's JSON line with "precision": "bf16-autocast" added."""
import contextlib, io, json, os, runpy, sys
import torch
import torch.nn.functional as F

script = os.path.abspath(sys.argv[1])
sys.argv = [script] + sys.argv[2:]
sys.path.insert(0, os.path.dirname(script))
import unet_ref  # the same module object ddpm_step.py's `from unet_ref import UNet` gets

forward = unet_ref.UNet.forward

def autocast_forward(self, x, t):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        return forward(self, x, t).float()  # mse_loss in fp32

def group_norm_fp32(self, x):
    with torch.autocast("cpu", enabled=False):
        return F.group_norm(x.float(), self.num_groups, self.weight, self.bias, self.eps)

unet_ref.UNet.forward = autocast_forward
torch.nn.GroupNorm.forward = group_norm_fp32

out = io.StringIO()
with contextlib.redirect_stdout(out):
    runpy.run_path(script, run_name="__main__")
line = json.loads(out.getvalue().strip().splitlines()[-1])
line["precision"] = "bf16-autocast"
print(json.dumps(line))
