/// Summary statistics of an error array, with evo's names and definitions
/// (`evo.core.metrics.PE.get_statistic`): population standard deviation, median as the mean of
/// the two middle values for an even count, `sse` the sum of squares.
public struct ErrorStatistics: Equatable, Sendable, Codable {
    /// Root mean square.
    public var rmse: Double
    public var mean: Double
    public var median: Double
    /// Population standard deviation (NumPy's default, ddof 0).
    public var std: Double
    public var min: Double
    public var max: Double
    /// Sum of squares.
    public var sse: Double

    /// The statistics of `errors`, which must not be empty.
    public init(_ errors: [Double]) {
        precondition(!errors.isEmpty, "statistics of an empty error array")
        let n = Double(errors.count)
        var sum = 0.0, sse = 0.0, lo = Double.infinity, hi = -Double.infinity
        for e in errors {
            sum += e; sse += e * e
            lo = Swift.min(lo, e); hi = Swift.max(hi, e)
        }
        let mean = sum / n
        var dev = 0.0
        for e in errors { let d = e - mean; dev += d * d }
        let sorted = errors.sorted()
        let mid = sorted.count / 2
        self.median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        self.rmse = (sse / n).squareRoot()
        self.mean = mean
        self.std = (dev / n).squareRoot()
        self.min = lo
        self.max = hi
        self.sse = sse
    }

    /// `(name, value)` in the order evo prints them (alphabetical: max, mean, median, min, rmse, sse, std).
    public var named: [(String, Double)] {
        [("max", max), ("mean", mean), ("median", median), ("min", min), ("rmse", rmse), ("sse", sse), ("std", std)]
    }
}
