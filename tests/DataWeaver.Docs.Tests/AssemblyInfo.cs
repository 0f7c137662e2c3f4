// The definition files of docs/how-do-i.md use paths relative to their folder, which the tests make the current
// directory while a file runs: the tests of this assembly run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
