namespace GenSharp.Runtime;

/// <summary>Where and how tensors are computed: <c>--device cpu|cuda[:N]</c> and <c>--threads N</c>.</summary>
/// <param name="Device">"cpu", "cuda" or "cuda:N".</param>
/// <param name="Threads">Intra-op threads; 0 keeps libtorch's default (all cores).</param>
public sealed record ComputeOptions(string Device = "cpu", int Threads = 0);
