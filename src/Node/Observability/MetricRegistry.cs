using System.Globalization;
using System.Text;

namespace ActorVip.Node.Observability;

/// <summary>
/// The few Prometheus collectors a node exports (counters, gauges, one histogram, each with labels) and their
/// text exposition format 0.0.4. Written here rather than taken from prometheus-net: that library pulled in
/// System.Net.Http and cost an idle node about 4 MB of its 80 MB memory goal (docs/BENCHMARKS.md).
/// Thread-safe: the metrics actor updates, the HTTP endpoint exports, under one lock.
/// </summary>
public sealed class MetricRegistry
{
    private readonly object _gate = new();
    private readonly List<Family> _families = [];

    public Counter CreateCounter(string name, string help, params string[] labels) => Add(new Counter(this, name, help, labels));

    public Gauge CreateGauge(string name, string help, params string[] labels) => Add(new Gauge(this, name, help, labels));

    public Histogram CreateHistogram(string name, string help, double[] buckets, params string[] labels) =>
        Add(new Histogram(this, name, help, labels, buckets));

    /// <summary>Every family in the order created, each series in the order first used.</summary>
    public string Export()
    {
        var text = new StringBuilder();
        lock (_gate)
        {
            foreach (var family in _families) family.Write(text);
        }
        return text.ToString();
    }

    private T Add<T>(T family) where T : Family
    {
        lock (_gate)
        {
            if (_families.Any(f => f.Name == family.Name)) throw new ArgumentException($"metric {family.Name} is registered twice");
            _families.Add(family);
        }
        return family;
    }

    public abstract class Family
    {
        private readonly string _help;
        private readonly string _type;
        private readonly string[] _labels;
        private readonly Dictionary<string, (string Labels, object Series)> _series = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];

        private protected Family(MetricRegistry registry, string name, string help, string type, string[] labels)
        {
            Gate = registry._gate;
            Name = name;
            _help = help;
            _type = type;
            _labels = labels;
        }

        public string Name { get; }

        /// <summary>The registry's lock: series are created and exported under it.</summary>
        private protected object Gate { get; }

        private protected abstract object NewSeries();

        private protected abstract void WriteSeries(StringBuilder text, string labels, object series);

        /// <summary>The series for these label values (created at zero), one value per label name.</summary>
        private protected object SeriesFor(string[] values)
        {
            if (values.Length != _labels.Length)
                throw new ArgumentException($"metric {Name} has {_labels.Length} labels, got {values.Length} values");
            var key = string.Join('\0', values);
            if (_series.TryGetValue(key, out var known)) return known.Series;
            var series = NewSeries();
            _series[key] = (LabelText(_labels, values), series);
            _order.Add(key);
            return series;
        }

        internal void Write(StringBuilder text)
        {
            text.Append("# HELP ").Append(Name).Append(' ').Append(_help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(_type).Append('\n');
            if (_labels.Length == 0 && _order.Count == 0) SeriesFor([]);
            foreach (var key in _order)
            {
                var (labels, series) = _series[key];
                WriteSeries(text, labels, series);
            }
        }

        private protected void Sample(StringBuilder text, string name, string labels, double value) =>
            text.Append(name).Append(labels).Append(' ').Append(Number(value)).Append('\n');

        internal static string LabelText(IReadOnlyList<string> names, IReadOnlyList<string> values)
        {
            if (names.Count == 0) return "";
            var text = new StringBuilder("{");
            for (var i = 0; i < names.Count; i++)
            {
                if (i > 0) text.Append(',');
                text.Append(names[i]).Append("=\"")
                    .Append(values[i].Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")).Append('"');
            }
            return text.Append('}').ToString();
        }

        internal static string Number(double value) => value switch
        {
            double.PositiveInfinity => "+Inf",
            double.NegativeInfinity => "-Inf",
            double.NaN => "NaN",
            _ => value.ToString("R", CultureInfo.InvariantCulture),
        };
    }

    public sealed class Counter : Family
    {
        internal Counter(MetricRegistry registry, string name, string help, string[] labels) : base(registry, name, help, "counter", labels)
        {
        }

        /// <summary>Adds one to the series of these label values.</summary>
        public void Inc(params string[] labels)
        {
            lock (Gate) ((Cell)SeriesFor(labels)).Value++;
        }

        /// <summary>
        /// Sets the series to a total counted elsewhere (read at each scrape); a counter never goes down, so a lower
        /// value is ignored.
        /// </summary>
        public void SetTotal(double total, params string[] labels)
        {
            lock (Gate)
            {
                var cell = (Cell)SeriesFor(labels);
                if (total > cell.Value) cell.Value = total;
            }
        }

        /// <summary>Exports the series of these label values at zero from now on.</summary>
        public void Touch(params string[] labels)
        {
            lock (Gate) SeriesFor(labels);
        }

        private protected override object NewSeries() => new Cell();

        private protected override void WriteSeries(StringBuilder text, string labels, object series) => Sample(text, Name, labels, ((Cell)series).Value);
    }

    public sealed class Gauge : Family
    {
        internal Gauge(MetricRegistry registry, string name, string help, string[] labels) : base(registry, name, help, "gauge", labels)
        {
        }

        public void Set(double value, params string[] labels)
        {
            lock (Gate) ((Cell)SeriesFor(labels)).Value = value;
        }

        private protected override object NewSeries() => new Cell();

        private protected override void WriteSeries(StringBuilder text, string labels, object series) => Sample(text, Name, labels, ((Cell)series).Value);
    }

    public sealed class Histogram : Family
    {
        private readonly double[] _bounds;

        internal Histogram(MetricRegistry registry, string name, string help, string[] labels, double[] buckets) : base(registry, name, help,
            "histogram", labels)
        {
            if (buckets.Length == 0 || buckets.Zip(buckets.Skip(1)).Any(p => p.First >= p.Second))
                throw new ArgumentException($"histogram {name} needs buckets in increasing order");
            _bounds = buckets;
        }

        public void Observe(double value, params string[] labels)
        {
            lock (Gate)
            {
                var series = (Buckets)SeriesFor(labels);
                series.Sum += value;
                series.Count++;
                for (var i = 0; i < _bounds.Length; i++)
                    if (value <= _bounds[i]) series.Counts[i]++;
            }
        }

        private protected override object NewSeries() => new Buckets(_bounds.Length);

        private protected override void WriteSeries(StringBuilder text, string labels, object series)
        {
            var b = (Buckets)series;
            var inner = labels.Length == 0 ? "" : labels[1..^1] + ",";
            for (var i = 0; i < _bounds.Length; i++) Sample(text, Name + "_bucket", "{" + inner + "le=\"" + Number(_bounds[i]) + "\"}", b.Counts[i]);
            Sample(text, Name + "_bucket", "{" + inner + "le=\"+Inf\"}", b.Count);
            Sample(text, Name + "_sum", labels, b.Sum);
            Sample(text, Name + "_count", labels, b.Count);
        }
    }

    private sealed class Cell
    {
        public double Value;
    }

    private sealed class Buckets(int bounds)
    {
        public readonly long[] Counts = new long[bounds];
        public double Sum;
        public long Count;
    }
}
