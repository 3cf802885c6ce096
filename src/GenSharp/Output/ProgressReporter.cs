using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace GenSharp.Output;

/// <summary>
/// Progress of a long loop: a Spectre.Console bar with percentage, rate, ETA and live values (e.g. the
/// loss) when standard output is an interactive terminal; otherwise quiet (no bar, no escape codes),
/// with one plain summary line on standard error at the end.
/// Usable from a plain loop: <c>using var p = ProgressReporter.Start("train", total); p.Report(i, ...);</c>
/// </summary>
public sealed class ProgressReporter : IDisposable
{
    private readonly string _description;
    private long _total;
    private readonly TextWriter? _summary;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task? _render;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private long _done;
    private string _live = "";
    private bool _disposed;

    private ProgressReporter(string description, long total, bool quiet, TextWriter? summary)
    {
        _description = description;
        _total = Math.Max(1, total);
        _summary = summary;
        Quiet = quiet;
        if (!quiet) _render = Task.Run(RenderAsync);
    }

    /// <summary>True when nothing is drawn.</summary>
    public bool Quiet { get; }

    /// <summary>
    /// Starts a reporter: silent if <paramref name="quiet"/>; without a bar (one summary line at the end)
    /// when stdout is not an interactive terminal.
    /// </summary>
    public static ProgressReporter Start(string description, long total, bool quiet = false, TextWriter? summary = null)
    {
        if (quiet) return new ProgressReporter(description, total, quiet: true, summary: null); // asked for silence: nothing at all
        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        return new ProgressReporter(description, total, !interactive, summary ?? Console.Error);
    }

    /// <summary>A reporter that never draws and writes its summary (if any) to <paramref name="summary"/>.</summary>
    public static ProgressReporter Silent(string description, long total, TextWriter? summary = null) =>
        new(description, total, quiet: true, summary);

    /// <summary>Records progress and optional live values.</summary>
    public void Report(long done, IReadOnlyDictionary<string, double>? live = null)
    {
        lock (_lock)
        {
            _done = Math.Clamp(done, 0, _total);
            if (live is not null)
                _live = string.Join(" ", live.Select(kv => $"{kv.Key} {kv.Value.ToString("G4", CultureInfo.InvariantCulture)}"));
        }
    }

    /// <summary>Changes the total (a budgeted run that has just planned its length).</summary>
    public void Retarget(long total)
    {
        lock (_lock) _total = Math.Max(1, total);
    }

    private async Task RenderAsync()
    {
        try
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                         new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(_description), maxValue: _total);
                    while (true)
                    {
                        bool stopping = _stop.IsCancellationRequested;
                        long done, total;
                        string live;
                        lock (_lock) { done = _done; live = _live; total = _total; }
                        task.MaxValue = total;
                        task.Value = done;
                        task.Description = Markup.Escape(live.Length > 0 ? $"{_description}  {live}" : _description);
                        if (stopping) break;
                        try { await Task.Delay(200, _stop.Token); } catch (TaskCanceledException) { }
                    }
                    task.StopTask();
                });
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // the terminal went away; progress is cosmetic
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        _render?.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
        if (Quiet && _summary is not null && _done > 0)
        {
            double s = _clock.Elapsed.TotalSeconds;
            _summary.WriteLine($"{_description}: {_done}/{_total} in {s:F1} s{(_live.Length > 0 ? "  " + _live : "")}");
        }
    }
}
