using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// What one training step does, for <see cref="Trainer"/>: it drives one or more named optimisers (a VAE's or a DDPM's
/// one, a GAN's "generator" and "discriminator") and reports named scalars (loss terms, estimates) that the trainer
/// averages over each log window of metrics.jsonl and checks for divergence. The trainer owns everything else: the
/// learning rate, the EMA, checkpoints of every optimiser, resume, callbacks, progress.
/// </summary>
public interface ITrainingStep
{
    /// <summary>
    /// The optimisers the step drives, by name. The first is the run's main optimiser (checkpoint keys <c>optim.*</c>);
    /// the others are saved under <c>optim.&lt;name&gt;.*</c>.
    /// </summary>
    IReadOnlyList<KeyValuePair<string, optim.Optimizer>> Optimizers { get; }

    /// <summary>What to change when a scalar of the step is not finite (ends the divergence message).</summary>
    string DivergenceAdvice { get; }

    /// <summary>
    /// Takes the (0-based) step: zero-grad, forward, backward, optimiser step(s). A step whose values are not finite may
    /// return without stepping; the trainer stops the run (exit code 4).
    /// </summary>
    StepResult Run(long step);

    /// <summary>Adds values computed from the completed step count (e.g. the epoch) to a metrics.jsonl record.</summary>
    void Annotate(long completedSteps, IDictionary<string, object?> record)
    {
    }
}
