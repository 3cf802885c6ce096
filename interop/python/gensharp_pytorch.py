"""GenSharp networks in PyTorch: the module definitions and a loader for `gensharp export RUN --format pytorch`
(docs/interop.md#pytorch). One file, torch only (python3-torch on Debian): it reads and writes safetensors itself.

    import gensharp_pytorch; model = gensharp_pytorch.load("exported-folder")   # eval mode, weights loaded strictly

State-dict names are GenSharp's, which are the PyTorch field names below (load_state_dict(strict=True) works):
  ddpm-image  UNet(x, t): the reference DDPM U-Net (docs/unet.md), copied from interop/python/unet_ref.py (the peer).
  ncsn-image  ScoreNetwork(x, sigma) = UNet(x, 250 ln sigma) / sigma (docs/score-models.md#ncsnv2-techniques).
  vae-fmnist  VAE with .encoder(x) -> (mu, logvar) and .decoder(z) -> logits (docs/vae.md).
  gan-fmnist  GanPair with .generator(z) -> image in [-1, 1] and .discriminator(x) -> logit (docs/gans.md).
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
           "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def read_safetensors(path):
    """{name: tensor} and the metadata of a safetensors file (8-byte header length, JSON header, raw bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype, raw = _DTYPES[info["dtype"]], bytearray(data[base + begin:base + end])
        flat = torch.frombuffer(raw, dtype=dtype) if len(raw) else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(info["shape"]).clone()
    return tensors, meta


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} (contiguous, little-endian) in name order, as GenSharp's reader expects."""
    names = {v: k for k, v in _DTYPES.items()}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        blob = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


# ---- ddpm-image: the reference U-Net (copied from interop/python/unet_ref.py) ----

def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, tdim, groups, dropout):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(tdim, cout)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.drop = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.temb(F.silu(temb))[:, :, None, None]
        h = self.conv2(self.drop(F.silu(self.norm2(h))))
        return self.skip(x) + h


class AttnBlock(nn.Module):
    def __init__(self, c, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, c)
        self.qkv = nn.Conv2d(c, 3 * c, 1)
        self.proj = nn.Conv2d(c, c, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, c, h * w).unbind(1)
        attn = torch.softmax(torch.einsum("bci,bcj->bij", q, k) / math.sqrt(c), dim=-1)
        out = torch.einsum("bij,bcj->bci", attn, v).reshape(b, c, h, w)
        return x + self.proj(out)


class UNet(nn.Module):
    def __init__(self, in_ch=1, ch=32, mults=(1, 2, 2), num_res=1, attn_res=(7,), res=28, groups=8, dropout=0.1):
        super().__init__()
        self.ch = ch
        tdim = 4 * ch
        self.temb = nn.Sequential(nn.Linear(ch, tdim), nn.SiLU(), nn.Linear(tdim, tdim))
        self.conv_in = nn.Conv2d(in_ch, ch, 3, padding=1)
        self.down = nn.ModuleList()
        chans, cur, r = [ch], ch, res
        for i, m in enumerate(mults):
            for _ in range(num_res):
                blk = nn.ModuleList([ResBlock(cur, ch * m, tdim, groups, dropout)])
                cur = ch * m
                if r in attn_res:
                    blk.append(AttnBlock(cur, groups))
                self.down.append(blk)
                chans.append(cur)
            if i != len(mults) - 1:
                self.down.append(nn.ModuleList([nn.Conv2d(cur, cur, 3, stride=2, padding=1)]))
                chans.append(cur)
                r //= 2
        self.mid = nn.ModuleList([ResBlock(cur, cur, tdim, groups, dropout), AttnBlock(cur, groups),
                                  ResBlock(cur, cur, tdim, groups, dropout)])
        self.up = nn.ModuleList()
        for i, m in reversed(list(enumerate(mults))):
            for _ in range(num_res + 1):
                blk = nn.ModuleList([ResBlock(cur + chans.pop(), ch * m, tdim, groups, dropout)])
                cur = ch * m
                if r in attn_res:
                    blk.append(AttnBlock(cur, groups))
                self.up.append(blk)
            if i != 0:
                self.up.append(nn.ModuleList([nn.Upsample(scale_factor=2, mode="nearest"),
                                              nn.Conv2d(cur, cur, 3, padding=1)]))
                r *= 2
        self.norm_out = nn.GroupNorm(groups, cur)
        self.conv_out = nn.Conv2d(cur, in_ch, 3, padding=1)

    def forward(self, x, t):
        temb = self.temb(timestep_embedding(t, self.ch))
        h = self.conv_in(x)
        hs = [h]
        for blk in self.down:
            if isinstance(blk[0], ResBlock):
                h = blk[0](h, temb)
                for extra in blk[1:]:
                    h = extra(h)
            else:
                h = blk[0](h)
            hs.append(h)
        h = self.mid[0](h, temb)
        h = self.mid[1](h)
        h = self.mid[2](h, temb)
        for blk in self.up:
            if isinstance(blk[0], ResBlock):
                h = blk[0](torch.cat([h, hs.pop()], dim=1), temb)
                for extra in blk[1:]:
                    h = extra(h)
            else:
                h = blk[1](blk[0](h))
        return self.conv_out(F.silu(self.norm_out(h)))


# ---- ncsn-image: NCSNv2's score network on the U-Net (GenSharp Nn/UNetScoreNetwork.cs) ----

class ScoreNetwork(nn.Module):
    embedding_scale = 250.0  # c = 250 ln(sigma) is the U-Net's "timestep" input

    def __init__(self, **unet):
        super().__init__()
        self.unet = UNet(**unet)

    def forward(self, x, sigma):
        u = self.unet(x, self.embedding_scale * sigma.float().log())
        return u / sigma.to(u.dtype).reshape(-1, 1, 1, 1)


# ---- vae-fmnist: the convolutional VAE for 28x28x1 images (GenSharp Vae/VaeEncoder.cs, VaeDecoder.cs) ----

class VaeEncoder(nn.Module):
    def __init__(self, width=32, latent_channels=4, flat_dim=16):
        super().__init__()
        w = width
        self.conv1 = nn.Conv2d(1, w, 4, stride=2, padding=1)
        self.conv2 = nn.Conv2d(w, 2 * w, 4, stride=2, padding=1)
        self.conv3 = nn.Conv2d(2 * w, 2 * w, 3, padding=1)
        self.head = nn.Conv2d(2 * w, 2 * latent_channels, 3, padding=1) if flat_dim == 0 else nn.Linear(2 * w * 49, 2 * flat_dim)

    def forward(self, x):                                  # x (B, 1, 28, 28) in [-1, 1]
        h = F.silu(self.conv1(x))                           # (B, w, 14, 14)
        h = F.silu(self.conv2(h))                           # (B, 2w, 7, 7)
        h = F.silu(self.conv3(h))
        stats = self.head(h) if isinstance(self.head, nn.Conv2d) else self.head(h.flatten(1))
        mu, logvar = stats.chunk(2, 1)
        return mu, logvar


class VaeDecoder(nn.Module):
    def __init__(self, width=32, latent_channels=4, flat_dim=16):
        super().__init__()
        w = width
        self.width, self.spatial = w, flat_dim == 0
        self.input = nn.Conv2d(latent_channels, 2 * w, 3, padding=1) if self.spatial else nn.Linear(flat_dim, 2 * w * 49)
        self.up1 = nn.ConvTranspose2d(2 * w, w, 4, stride=2, padding=1)
        self.up2 = nn.ConvTranspose2d(w, w, 4, stride=2, padding=1)
        self.output = nn.Conv2d(w, 1, 3, padding=1)
        self.log_sigma = nn.Parameter(torch.tensor(math.log(0.1)))  # the Gaussian likelihood's log sigma

    def forward(self, z):                                  # z (B, D) or (B, C, 7, 7)
        h = self.input(z)
        if not self.spatial:
            h = h.reshape(-1, 2 * self.width, 7, 7)
        h = F.silu(h)
        h = F.silu(self.up1(h))                             # (B, w, 14, 14)
        h = F.silu(self.up2(h))                             # (B, w, 28, 28)
        return self.output(h)                               # (B, 1, 28, 28) logits; image = 2 sigmoid - 1


class VAE(nn.Module):
    def __init__(self, **network):
        super().__init__()
        self.encoder, self.decoder = VaeEncoder(**network), VaeDecoder(**network)


# ---- gan-fmnist: the course's GAN (GenSharp Gan/PixelShuffleGenerator.cs, ConvDiscriminator.cs) ----

class PixelShuffleGenerator(nn.Module):
    def __init__(self, z_dim=64, hidden=512, channels=64):
        super().__init__()
        c = channels
        self.channels = c
        self.fc1 = nn.Linear(z_dim, hidden)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.fc2 = nn.Linear(hidden, c * 7 * 7)
        self.bn2 = nn.BatchNorm1d(c * 7 * 7)
        self.shuffle1 = nn.PixelShuffle(2)
        self.conv1 = nn.Conv2d(c // 4, 2 * (c // 4), 3, padding=1)
        self.bn3 = nn.BatchNorm2d(2 * (c // 4))
        self.shuffle2 = nn.PixelShuffle(2)
        self.conv2 = nn.Conv2d(c // 8, 1, 3, padding=1)

    def forward(self, z):                                  # z (B, Z)
        h = F.relu(self.bn1(self.fc1(z)))
        h = F.relu(self.bn2(self.fc2(h))).reshape(-1, self.channels, 7, 7)
        h = F.relu(self.bn3(self.conv1(self.shuffle1(h))))  # (B, c/2, 14, 14)
        return torch.tanh(self.conv2(self.shuffle2(h)))     # (B, 1, 28, 28) in [-1, 1]


class ConvDiscriminator(nn.Module):
    def __init__(self, channels=32, hidden=512):
        super().__init__()
        c = channels
        self.conv1 = nn.Conv2d(1, c, 4, stride=2, padding=1)
        self.conv2 = nn.Conv2d(c, 2 * c, 4, stride=2, padding=1)
        self.fc1 = nn.Linear(2 * c * 7 * 7, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, x):                                  # x (B, 1, 28, 28)
        h = F.relu(self.conv1(x))
        h = F.relu(self.conv2(h))
        h = F.relu(self.fc1(h.flatten(1)))
        return self.fc2(h).squeeze(1)                       # (B) logits


class GanPair(nn.Module):
    def __init__(self, z_dim=64, generator_hidden=512, generator_channels=64, discriminator_channels=32,
                 discriminator_hidden=512):
        super().__init__()
        self.generator, self.discriminator = (PixelShuffleGenerator(z_dim, generator_hidden, generator_channels),
                                              ConvDiscriminator(discriminator_channels, discriminator_hidden))


ARCHITECTURES = {"ddpm-image": UNet, "ncsn-image": ScoreNetwork, "vae-fmnist": VAE, "gan-fmnist": GanPair}


def build(export):
    """The (randomly initialised) module an export.json describes: {"model": kind, "network": {kwargs}}."""
    kind = export["model"]
    if kind not in ARCHITECTURES:
        raise ValueError(f"model '{kind}': this loader knows {', '.join(ARCHITECTURES)}")
    network = dict(export["network"])
    for key in ("mults", "attn_res"):
        if key in network:
            network[key] = tuple(network[key])
    return ARCHITECTURES[kind](**network)


def load(folder, weights="model.safetensors"):
    """The exported network of `folder` (export.json + model.safetensors), weights loaded strictly, in eval mode."""
    with open(os.path.join(folder, "export.json"), encoding="utf-8") as f:
        model = build(json.load(f))
    state, _ = read_safetensors(os.path.join(folder, weights))
    model.load_state_dict(state, strict=True)
    return model.eval()
