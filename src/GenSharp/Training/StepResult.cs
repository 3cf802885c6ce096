namespace GenSharp.Training;

/// <summary>The named scalars one training step measured, in the order metrics.jsonl shows them; null: not measured.</summary>
public sealed record StepResult(IReadOnlyList<KeyValuePair<string, double?>> Scalars)
{
    public static StepResult Of(params (string Name, double? Value)[] scalars) =>
        new(scalars.Select(s => new KeyValuePair<string, double?>(s.Name, s.Value)).ToArray());
}
