# Copied (below this header; only the docstring's reference changed) from the project's shared peer benchmark,
# shared/bench/peer/unet_ref.py (2026-11-29),
# so that the repository stands alone: the PyTorch reference U-Net whose state-dict names GenSharp's Nn/UNet.cs
# keeps. tests/GenSharp.Tests/Interop/PyTorchRoundTripTests.cs loads GenSharp weights into it.
"""Reference U-Net ("ddpm-unet", the architecture of docs/unet.md#reference-configuration),
written in PyTorch so that GenSharp's C# implementation can be measured side by side with a
Python peer on the same machine. Runs on the PyTorch that Debian packages (python3-torch)."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


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
    def __init__(self, in_ch=1, ch=32, mults=(1, 2, 2), num_res=1, attn_res=(7,), res=28,
                 groups=8, dropout=0.1):
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
