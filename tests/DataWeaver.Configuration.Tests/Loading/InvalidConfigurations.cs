namespace DataWeaver.Configuration.Tests.Loading;

/// <summary>
/// Invalid pipeline files, one problem each. '§' marks where the error must point (it is removed before loading); the
/// key path and the error code are what the error must name.
/// </summary>
internal static class InvalidConfigurations
{
    public static readonly IReadOnlyDictionary<string, (string Text, string Path, string Code)> Cases = new Dictionary<string, (string, string, string)>
    {
        ["missing-version"] = ("""
            §pipelines:
              - name: orders
                source: { type: probe }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "version", ConfigurationErrorCode.Required),
        ["wrong-version"] = ("""
            version: §2
            pipelines:
              - name: orders
                source: { type: probe }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "version", ConfigurationErrorCode.NotAllowed),
        ["no-pipelines"] = ("""
            version: 1
            pipelines: §[]
            """, "pipelines", ConfigurationErrorCode.Range),
        ["top-level-typo"] = ("""
            version: 1
            §pipeline:
              - name: orders
            """, "pipeline", ConfigurationErrorCode.UnknownKey),
        ["pipeline-name-missing"] = ("""
            version: 1
            pipelines:
              - §source: { type: probe }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].name", ConfigurationErrorCode.Required),
        ["pipeline-name-invalid"] = ("""
            version: 1
            pipelines:
              - name: §my orders
                source: { type: probe }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].name", ConfigurationErrorCode.Pattern),
        ["pipeline-name-duplicate"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks: [{ type: probe-sink, settings: { path: a.jsonl } }]
              - name: §orders
                source: { type: probe }
                sinks: [{ type: probe-sink, settings: { path: b.jsonl } }]
            """, "pipelines[1].name", ConfigurationErrorCode.DuplicateName),
        ["source-missing"] = ("""
            version: 1
            pipelines:
              - §name: orders
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].source", ConfigurationErrorCode.Required),
        ["source-type-typo"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: §genrator }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].source.type", ConfigurationErrorCode.UnknownConnector),
        ["source-type-number"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: §5 }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].source.type", ConfigurationErrorCode.Type),
        ["sinks-missing"] = ("""
            version: 1
            pipelines:
              - §name: orders
                source: { type: probe }
            """, "pipelines[0].sinks", ConfigurationErrorCode.Required),
        ["sinks-empty"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks: §[]
            """, "pipelines[0].sinks", ConfigurationErrorCode.Range),
        ["sink-type-unknown"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks:
                  - type: probe-sink
                    settings: { path: out.jsonl }
                  - type: §elasticsearch
            """, "pipelines[0].sinks[1].type", ConfigurationErrorCode.UnknownConnector),
        ["sink-key-typo"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks:
                  - type: probe-sink
                    §setting: { path: out.jsonl }
            """, "pipelines[0].sinks[0].setting", ConfigurationErrorCode.UnknownKey),
        ["setting-typo"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks:
                  - type: probe-sink
                    settings: { path: out.jsonl, §pth: x }
            """, "pipelines[0].sinks[0].settings.pth", ConfigurationErrorCode.UnknownSetting),
        ["setting-required-missing"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks:
                  - type: probe-sink
                    settings: §{ }
            """, "pipelines[0].sinks[0].settings.path", ConfigurationErrorCode.MissingSetting),
        ["setting-wrong-type"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe, settings: { count: §many } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].source.settings.count", ConfigurationErrorCode.Type),
        ["setting-below-minimum"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe, settings: { count: §-1 } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].source.settings.count", ConfigurationErrorCode.Range),
        ["settings-not-a-mapping"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe, settings: §[1, 2] }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].source.settings", ConfigurationErrorCode.Type),
        ["format-unknown"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: json-lines-file, format: §xml, settings: { path: in.jsonl } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].source.format", ConfigurationErrorCode.UnknownFormat),
        ["format-not-supported"] = ("""
            version: 1
            pipelines:
              - name: orders
                source:
                  type: generator
                  format: §raw
                  settings: { count: 1, fields: { id: 1 } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].source.format", ConfigurationErrorCode.UnknownFormat),
        ["transform-typo"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - §filtr: { field: amount, op: ">=", value: 100 }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].filtr", ConfigurationErrorCode.NoAlternative),
        ["transform-two-kinds"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - §filter: { field: amount, value: 1 }
                    set: { field: a, value: 1 }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0]", ConfigurationErrorCode.NoAlternative),
        ["filter-operator-unknown"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - filter: { field: amount, op: §"=>", value: 100 }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].filter.op", ConfigurationErrorCode.NotAllowed),
        ["filter-value-missing"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - filter: §{ field: amount, op: ">=" }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].filter.value", ConfigurationErrorCode.Required),
        ["filter-in-scalar"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - filter: { field: country, op: in, value: §DE }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].filter.value", ConfigurationErrorCode.Type),
        ["filter-starts-with-mapping"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - filter: { field: name, op: startsWith, value: §{ a: 1 } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].filter.value", ConfigurationErrorCode.Type),
        ["filter-all-empty"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - filter: { all: §[] }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].filter.all", ConfigurationErrorCode.Range),
        ["set-value-and-from"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - set: §{ field: region, value: eu, from: country }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].set", ConfigurationErrorCode.Conflict),
        ["set-no-value"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - set: §{ field: region }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].set", ConfigurationErrorCode.Conflict),
        ["set-template-unclosed"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - set: { field: label, template: §"order {id" }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].set.template", ConfigurationErrorCode.InvalidValue),
        ["set-otherwise-without-when"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - set: { field: big, value: true, otherwise: §false }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].set.otherwise", ConfigurationErrorCode.Conflict),
        ["rename-to-path"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - rename: { from: amount, to: §order.total }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].rename.to", ConfigurationErrorCode.Pattern),
        ["rename-to-missing"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - rename: §{ from: amount }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].rename.to", ConfigurationErrorCode.Required),
        ["drop-empty"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - drop: §[]
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].drop", ConfigurationErrorCode.Range),
        ["cast-type-typo"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - cast: { field: qty, to: §lng }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].cast.to", ConfigurationErrorCode.NotAllowed),
        ["timestamp-format-unknown"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - timestamp: { field: ts, format: §epoch }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].timestamp.format", ConfigurationErrorCode.NotAllowed),
        ["timestamp-now-with-format"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - timestamp: { field: ts, now: true, format: §unix-ms }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].timestamp.format", ConfigurationErrorCode.Conflict),
        ["lookup-values-missing"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - lookup: §{ field: country, to: region }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].lookup.values", ConfigurationErrorCode.Required),
        ["code-transform-unknown"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - code: { name: §probe-transfrom }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].code.name", ConfigurationErrorCode.UnknownTransform),
        ["code-transform-setting-unknown"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                transforms:
                  - code: { name: probe-transform, settings: { §factr: 2 } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].transforms[0].code.settings.factr", ConfigurationErrorCode.UnknownSetting),
        ["parallelism-zero"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                parallelism: { degree: §0 }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].parallelism.degree", ConfigurationErrorCode.Range),
        ["parallelism-too-high"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                parallelism: { degree: §1000 }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].parallelism.degree", ConfigurationErrorCode.Range),
        ["key-ordered-without-key"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                parallelism: §{ degree: 4, ordering: key-ordered }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].parallelism.key", ConfigurationErrorCode.Required),
        ["key-without-key-ordered"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                parallelism: { degree: 4, key: §customerId }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].parallelism.key", ConfigurationErrorCode.Conflict),
        ["batch-size-zero"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                batch: { size: §0 }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].batch.size", ConfigurationErrorCode.Range),
        ["batch-window-not-a-duration"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                batch: { size: 100, window: §fast }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].batch.window", ConfigurationErrorCode.Pattern),
        ["capacity-bytes-not-a-size"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                capacity: { bytes: §64 megabytes }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].capacity.bytes", ConfigurationErrorCode.Pattern),
        ["in-flight-below-batch"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                batch: { size: 2048 }
                capacity: { inFlightRecords: §1000 }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].capacity.inFlightRecords", ConfigurationErrorCode.Range),
        ["dead-letter-target-missing"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                errors: { onFailure: §dead-letter }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].errors.onFailure", ConfigurationErrorCode.Conflict),
        ["dead-letter-type-unknown"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                errors:
                  deadLetter: { type: §dlq }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].errors.deadLetter.type", ConfigurationErrorCode.UnknownConnector),
        ["dead-letter-never-used"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                errors:
                  onFailure: skip
                  deadLetter: §{ type: probe-sink, settings: { path: dead.jsonl } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].errors.deadLetter", ConfigurationErrorCode.Conflict),
        ["retry-attempts-zero"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                errors: { retry: { attempts: §0 } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].errors.retry.attempts", ConfigurationErrorCode.Range),
        ["retry-max-backoff-below-backoff"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                errors: { retry: { attempts: 3, backoff: 5s, maxBackoff: §1s } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].errors.retry.maxBackoff", ConfigurationErrorCode.Range),
        ["retry-timeout-words"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                errors: { retry: { timeout: §30 seconds } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].errors.retry.timeout", ConfigurationErrorCode.Pattern),
        ["breaker-ratio-zero"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                errors: { circuitBreaker: { failureRatio: §0 } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].errors.circuitBreaker.failureRatio", ConfigurationErrorCode.Range),
        ["breaker-break-too-short"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                errors: { circuitBreaker: { breakDuration: §100ms } }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].errors.circuitBreaker.breakDuration", ConfigurationErrorCode.Range),
        ["unknown-errors-class"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                errors: { unknownErrors: §ignore }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].errors.unknownErrors", ConfigurationErrorCode.NotAllowed),
        ["commit-interval-words"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                commitInterval: §sometimes
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].commitInterval", ConfigurationErrorCode.Pattern),
        ["variable-unset"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks: [{ type: probe-sink, settings: { path: §"${OUTPUT_FILE}" } }]
            """, "pipelines[0].sinks[0].settings.path", ConfigurationErrorCode.UnsetVariable),
        ["variable-malformed"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks: [{ type: probe-sink, settings: { path: §"${OUTPUT FILE}" } }]
            """, "pipelines[0].sinks[0].settings.path", ConfigurationErrorCode.InvalidValue),
        ["yaml-syntax"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: §{ type: probe
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "", ConfigurationErrorCode.Syntax),
        ["yaml-duplicate-key"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
                §source: { type: probe }
            """, "pipelines[0].source", ConfigurationErrorCode.DuplicateKey),
        ["framework-type-typo"] = ("""
            version: 1
            framework: { type: §in-proces }
            pipelines:
              - name: orders
                source: { type: probe }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "framework.type", ConfigurationErrorCode.UnknownFramework),
        ["framework-setting-unknown"] = ("""
            version: 1
            pipelines:
              - name: orders
                framework: { type: in-process, settings: { §partitions: 4 } }
                source: { type: probe }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].framework.settings.partitions", ConfigurationErrorCode.UnknownSetting),
        ["two-sinks-one-file"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks:
                  - { type: probe-sink, settings: { path: out.jsonl } }
                  - { type: probe-sink, settings: { path: §./out.jsonl } }
            """, "pipelines[0].sinks[1].settings.path", ConfigurationErrorCode.Conflict),
        ["key-on-record-sink"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks: [{ type: probe-sink, key: §id, settings: { path: out.jsonl } }]
            """, "pipelines[0].sinks[0].key", ConfigurationErrorCode.Conflict),
        ["sink-name-duplicate"] = ("""
            version: 1
            pipelines:
              - name: orders
                source: { type: probe }
                sinks:
                  - { type: probe-sink, name: out, settings: { path: a.jsonl } }
                  - { type: probe-sink, name: §out, settings: { path: b.jsonl } }
            """, "pipelines[0].sinks[1].name", ConfigurationErrorCode.DuplicateName),
        ["generator-field-kind-typo"] = ("""
            version: 1
            pipelines:
              - name: orders
                source:
                  type: generator
                  settings:
                    count: 10
                    fields:
                      id: §{ numbr: {} }
                sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
            """, "pipelines[0].source.settings.fields.id", ConfigurationErrorCode.InvalidValue),
        ["json-syntax"] = ("""
            {
              "version": 1,
              "pipelines": [
                { "name": "orders" §"source": { "type": "probe" } }
              ]
            }
            """, "", ConfigurationErrorCode.Syntax),
        ["json-unknown-key"] = ("""
            {
              "version": 1,
              "pipelines": [
                {
                  "name": "orders",
                  "source": { "type": "probe" },
                  §"sink": [{ "type": "probe-sink", "settings": { "path": "out.jsonl" } }]
                }
              ]
            }
            """, "pipelines[0].sink", ConfigurationErrorCode.UnknownKey),
    };
}
