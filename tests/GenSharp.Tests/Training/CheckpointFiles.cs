using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Tests.Training;

/// <summary>Turns a real checkpoint into a hostile one, for the tests of the checkpoint reader and the CLI.</summary>
internal static class CheckpointFiles
{
    /// <summary>Rewrites a checkpoint's tensors and metadata (a new, valid safetensors file with hostile content).</summary>
    internal static void Rewrite(string path, Action<Dictionary<string, Tensor>, Dictionary<string, string>> change)
    {
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> tensors;
        Dictionary<string, string> metadata;
        using (var content = Safetensors.Load(path))
        {
            tensors = content.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
            metadata = content.Metadata.ToDictionary();
        }
        change(tensors, metadata);
        Safetensors.Save(path, tensors, metadata);
    }

    /// <summary>Rewrites the JSON header in place (same data bytes), for corruption the writer would never produce.</summary>
    internal static void RewriteHeader(string path, Action<JsonObject> change)
    {
        byte[] file = File.ReadAllBytes(path);
        int n = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        var header = JsonNode.Parse(file.AsSpan(8, n))!.AsObject();
        change(header);
        byte[] h = Encoding.UTF8.GetBytes(header.ToJsonString());
        var output = new byte[8 + h.Length + (file.Length - 8 - n)];
        BinaryPrimitives.WriteUInt64LittleEndian(output, (ulong)h.Length);
        h.CopyTo(output, 8);
        file.AsSpan(8 + n).CopyTo(output.AsSpan(8 + h.Length));
        File.WriteAllBytes(path, output);
    }
}
