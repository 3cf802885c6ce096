using System.Buffers.Binary;
using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// Checks a saved generator state before <see cref="Generator.set_state"/>. TorchSharp 0.107's native
/// <c>THSGenerator_set_rng_state</c> does not catch libtorch's errors, so a state libtorch refuses (not a
/// byte tensor, the wrong size, an invalid Mersenne-Twister position) aborts the whole process instead of
/// throwing. Every TorchSharp generator is a CPU generator (<c>THSGenerator_new</c> ignores the device),
/// whose state is libtorch's <c>CPUGeneratorImplState</c>: the legacy POD (<c>the_initial_seed</c> u64,
/// <c>left</c> i32, <c>seeded</c> i32, <c>next</c> u64, 624 u64 words, three doubles, an i32) then a float
/// and a bool, 5,056 bytes; libtorch requires <c>seeded</c>, 0 &lt; <c>left</c> &lt;= 624 and <c>next</c> &lt;= 624.
/// </summary>
internal static class GeneratorState
{
    private const int MersenneStateN = 624;
    private const int LeftOffset = 8, SeededOffset = 12, NextOffset = 16;

    /// <summary>Size of libtorch's CPUGeneratorImplState.</summary>
    internal const int CpuStateBytes = 5056;

    /// <summary>Throws a <see cref="CheckpointException"/> unless <paramref name="saved"/> is a state <paramref name="live"/> accepts.</summary>
    internal static void Check(string path, Tensor saved, Generator live)
    {
        using var current = live.get_state();
        if (saved.dtype != ScalarType.Byte || saved.dim() != 1 || saved.numel() != current.numel())
            throw new CheckpointException(
                $"{path}: 'rng' is {saved.dtype} [{string.Join(", ", saved.shape)}], but a generator state is Byte [{current.numel()}]; the " +
                $"checkpoint is corrupt");
        if (saved.numel() != CpuStateBytes) return; // not the CPU generator's layout: size and dtype are all that can be checked
        var bytes = saved.bytes;
        int left = BinaryPrimitives.ReadInt32LittleEndian(bytes[LeftOffset..]);
        int seeded = BinaryPrimitives.ReadInt32LittleEndian(bytes[SeededOffset..]);
        uint next = (uint)BinaryPrimitives.ReadUInt64LittleEndian(bytes[NextOffset..]); // libtorch narrows it to 32 bits
        if (seeded == 0 || left <= 0 || left > MersenneStateN || next > MersenneStateN)
            throw new CheckpointException(
                $"{path}: 'rng' is not a valid Mersenne-Twister state (seeded {seeded}, left {left}, next {next}); the checkpoint is corrupt");
    }

    /// <summary>(left, seeded, next) of a CPU generator state, for tests.</summary>
    internal static (int Left, int Seeded, ulong Next) Fields(Tensor state)
    {
        var bytes = state.bytes;
        return (BinaryPrimitives.ReadInt32LittleEndian(bytes[LeftOffset..]), BinaryPrimitives.ReadInt32LittleEndian(bytes[SeededOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[NextOffset..]));
    }
}
