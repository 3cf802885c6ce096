using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("GenSharp.Tests.CleaningTestFramework", "GenSharp.Tests")]

namespace GenSharp.Tests;

/// <summary>
/// xunit's own test framework, which also removes the tests' temporary folders (<see cref="TestTemp"/>) when the run ends: the test
/// host is often stopped without running process-exit handlers, but the framework is always disposed after the last test.
/// </summary>
public sealed class CleaningTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink), IDisposable
{
    public new void Dispose()
    {
        TestTemp.RemoveAll();
        base.Dispose();
    }
}
