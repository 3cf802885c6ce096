using GenSharp.Runtime;

namespace GenSharp.Tests.Runtime;

public sealed class OpenMpWaitPolicyTests
{
    [Theory]
    [InlineData(2.0, 2, true)]    // quiet 2-core machine, 2 threads: spin
    [InlineData(1.8, 2, true)]    // a little noise
    [InlineData(1.0, 2, false)]   // one core busy with another job: passive
    [InlineData(1.0, 1, true)]    // one free core for one thread
    [InlineData(0.2, 1, false)]
    public void Spins_only_when_every_thread_has_an_idle_core(double idle, int threads, bool spin) =>
        Assert.Equal(spin, OpenMpWaitPolicy.Decide(idle, threads));

    [Fact]
    public void Idle_cores_come_from_the_idle_and_iowait_ticks_of_proc_stat()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice
        var a = OpenMpWaitPolicy.ParseCpuLine("cpu  1000 0 500 8000 100 0 0 0 0 0")!.Value;
        var b = OpenMpWaitPolicy.ParseCpuLine("cpu  1100 0 550 8140 110 0 0 0 0 0")!.Value;
        Assert.Equal((9600L, 8100L), a);
        // 300 ticks passed, 150 of them idle or iowait: half of 2 cores idle
        Assert.Equal(1.0, OpenMpWaitPolicy.IdleCores(a, b, cores: 2)!.Value, 12);
        Assert.Null(OpenMpWaitPolicy.IdleCores(a, a, cores: 2));
        Assert.Null(OpenMpWaitPolicy.ParseCpuLine("cpu0 1 2 3 4 5"));
        Assert.Null(OpenMpWaitPolicy.ParseCpuLine("cpu x 2 3 4 5"));
    }

    [Fact]
    public void This_machine_reports_a_plausible_idle_core_count()
    {
        double? idle = OpenMpWaitPolicy.IdleCores(TimeSpan.FromMilliseconds(50));
        Assert.NotNull(idle);
        Assert.InRange(idle!.Value, 0, Environment.ProcessorCount);
    }
}
