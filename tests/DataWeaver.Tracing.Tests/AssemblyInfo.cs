// ActivityListeners are process-wide and the sampling decision is the most generous of all listeners: a test that
// expects a batch not to be sampled must not run beside one that samples everything.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
