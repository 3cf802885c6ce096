using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;

namespace GenSharp.Interop;

/// <summary>
/// What a diffusers <c>scheduler_config.json</c> sets in GenSharp (docs/interop.md#diffusers-scheduler-configs): the noise schedule
/// of the forward process, the sampler (name and settings; null steps = the sampler's default), the class it came from, and one
/// line for each field whose value has no effect in GenSharp or is filled in by GenSharp (so that nothing is dropped silently), and
/// what the network predicts (prediction_type epsilon or v_prediction: <see cref="DdpmObjective.Epsilon"/> or <see cref="DdpmObjective.V"/>).
/// </summary>
public sealed record DiffusersSchedulerSettings(
    string ClassName,
    NoiseScheduleConfig Schedule,
    SamplerSpec Sampler,
    IReadOnlyList<string> Notes,
    string Prediction = DdpmObjective.Epsilon);
