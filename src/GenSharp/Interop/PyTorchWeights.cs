using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Interop;

/// <summary>
/// PyTorch weights into a GenSharp network (docs/interop.md#pytorch): a plain safetensors file holding a PyTorch state dict
/// (<c>safetensors.torch.save_file(model.state_dict(), path)</c>, or <c>write_safetensors</c> of the exported loader) whose
/// names are the GenSharp module's. Strict like <c>load_state_dict(strict=True)</c>: every key present, none extra, same shapes
/// and dtypes, finite values; each problem is a one-line <see cref="CheckpointException"/>. Values are copied into the live
/// tensors (TorchSharp's load_state_dict would share them, issue #1172).
/// </summary>
public static class PyTorchWeights
{
    public static void Load(nn.Module module, string path)
    {
        GenSharp.Files.InputFile.RequireCheckpoint(path);
        using var content = Safetensors.Load(path);
        CheckpointValidation.Check(path, content);
        using var noGrad = no_grad();
        var expected = module.state_dict();
        var extra = content.Tensors.Keys.Except(expected.Keys).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            throw new CheckpointException($"{path}: '{extra[0]}' is not in the {module.GetName()} ({extra.Count} unexpected keys); the weights " +
                "belong to a different architecture");
        foreach (var (key, live) in expected)
        {
            if (!content.Tensors.TryGetValue(key, out var saved))
                throw new CheckpointException($"{path}: missing '{key}' of the {module.GetName()}; the weights belong to a different architecture");
            if (!live.shape.SequenceEqual(saved.shape))
                throw new CheckpointException($"{path}: '{key}' has shape [{string.Join(", ", saved.shape)}], the {module.GetName()} expects " +
                    $"[{string.Join(", ", live.shape)}]");
            if (live.dtype != saved.dtype)
                throw new CheckpointException($"{path}: '{key}' has dtype {saved.dtype}, the {module.GetName()} expects {live.dtype}");
            live.copy_(saved);
        }
    }
}
