import Foundation

/// The accuracy of disparities against ground truth: signed error (estimate − truth) per band of
/// true disparity, outlier shares and, where variances are given, their NEES. What `parallax
/// bench stereo` reports for the front end and for OpenCV's SGBM at the same pixels.
public struct StereoAccuracy: Codable, Sendable, Equatable {
    /// One band of true disparity, [from, to) pixels.
    public struct Band: Codable, Sendable, Equatable {
        public var from: Double
        public var to: Double?
        public var points: Int
        /// Median and mean signed error, pixels (nil without points).
        public var medianError: Double?
        public var meanError: Double?
        /// Median absolute deviation of the error about its median, pixels.
        public var mad: Double?

        enum CodingKeys: String, CodingKey {
            case from, to, points, mad
            case medianError = "median_error", meanError = "mean_error"
        }

        /// Every key is written, `null` where there is no value, so that readers see one shape.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encode(points, forKey: .points)
            try c.encode(medianError, forKey: .medianError)
            try c.encode(meanError, forKey: .meanError)
            try c.encode(mad, forKey: .mad)
        }
    }

    /// One disparity with its truth, and its variance when the method reports one.
    public struct Sample: Sendable {
        public var estimate: Double
        public var truth: Double
        public var variance: Double?
        public init(estimate: Double, truth: Double, variance: Double?) {
            self.estimate = estimate; self.truth = truth; self.variance = variance
        }
    }

    /// Matches the method produced, and those with ground truth.
    public var matches: Int
    public var withTruth: Int
    public var bands: [Band]
    /// The whole set's median signed error, pixels.
    public var medianError: Double?
    /// Shares of |error| above 1 and 3 px.
    public var outliers1px: Double
    public var outliers3px: Double
    /// 95 %-trimmed mean of error² / variance (nil without variances); 1 when the variances are metric.
    public var nees: Double?

    enum CodingKeys: String, CodingKey {
        case matches, bands, nees
        case withTruth = "with_truth", medianError = "median_error", outliers1px = "outliers_1px", outliers3px = "outliers_3px"
    }

    /// Every key is written, `null` where there is no value (SGBM reports no variance: `nees` null).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(matches, forKey: .matches)
        try c.encode(withTruth, forKey: .withTruth)
        try c.encode(bands, forKey: .bands)
        try c.encode(medianError, forKey: .medianError)
        try c.encode(outliers1px, forKey: .outliers1px)
        try c.encode(outliers3px, forKey: .outliers3px)
        try c.encode(nees, forKey: .nees)
    }

    /// Band edges, pixels: < 5, 5–10, 10–20, 20–40, ≥ 40.
    public static let bandEdges: [Double] = [0, 5, 10, 20, 40]

    public init(matches: Int, samples: [Sample]) {
        self.matches = matches
        withTruth = samples.count
        let errors = samples.map { $0.estimate - $0.truth }
        bands = Self.bandEdges.indices.map { k in
            let from = Self.bandEdges[k], to = k + 1 < Self.bandEdges.count ? Self.bandEdges[k + 1] : nil
            let e = zip(samples, errors).filter { s, _ in s.truth >= from && (to.map { s.truth < $0 } ?? true) }.map(\.1)
            let median = GeometryCheck.median(e)
            return Band(from: from, to: to, points: e.count, medianError: median,
                        meanError: e.isEmpty ? nil : e.reduce(0, +) / Double(e.count),
                        mad: median.flatMap { m in GeometryCheck.median(e.map { abs($0 - m) }) })
        }
        medianError = GeometryCheck.median(errors)
        let n = Double(max(errors.count, 1))
        outliers1px = Double(errors.filter { abs($0) > 1 }.count) / n
        outliers3px = Double(errors.filter { abs($0) > 3 }.count) / n
        let normalised = zip(samples, errors).compactMap { s, e in s.variance.flatMap { $0 > 0 ? e * e / $0 : nil } }
        nees = GeometryCheck.trimmedMean(normalised)
    }

    /// A readable table.
    public var text: String {
        func f(_ x: Double?) -> String { x.map { String(format: "%+.3f", $0) } ?? "—" }
        var lines = [String(format: "%d matches, %d with ground truth; median error %@ px; > 1 px %.1f %%, > 3 px %.1f %%; NEES %@",
                            matches, withTruth, f(medianError), 100 * outliers1px, 100 * outliers3px,
                            nees.map { String(format: "%.2f", $0) } ?? "—")]
        for b in bands {
            let range = b.to.map { String(format: "%3.0f–%-3.0f px", b.from, $0) } ?? String(format: "≥ %-5.0f px", b.from)
            lines.append("  \(range)  \(String(format: "%6d", b.points)) points  median \(f(b.medianError))  mean \(f(b.meanError))  MAD \(b.mad.map { String(format: "%.3f", $0) } ?? "—")")
        }
        return lines.joined(separator: "\n")
    }
}
