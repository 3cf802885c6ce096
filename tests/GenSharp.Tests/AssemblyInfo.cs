// Test classes run one after another. Many tests seed and draw from torch's process-wide default generator (network
// initialisation after manual_seed, dropout), and exact-resume tests compare that generator's state bit for bit
// (checkpoint tensor rng_global): a test class running in parallel changes it at random. On the 2-core machines the
// project runs on, libtorch already uses both cores inside each test, so parallel classes gained little.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
