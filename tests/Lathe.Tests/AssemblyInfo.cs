// The engine's thread count is process-wide and bit-identity tests depend on it: run tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
