import Foundation
import Geometry
import Trajectories

/// KITTI odometry metrics as the devkit's `evaluate_odometry.cpp` defines them: for every
/// `stepSize`-th first frame and each segment length, the last frame is the first one whose
/// ground-truth path distance exceeds the first frame's by more than the length;
/// `E = (P_s⁻¹P_e)⁻¹(G_s⁻¹G_e)`, `t_err = ‖t(E)‖/len`, `r_err = acos((tr R(E) − 1)/2)/len`.
///
/// As in the devkit, path distances and lengths are single-precision floats (this decides
/// which frames end a segment); averages are accumulated in double precision.
public enum KittiOdometry {
    /// The devkit's segment lengths, metres.
    public static let lengths: [Double] = [100, 200, 300, 400, 500, 600, 700, 800]

    /// The error of one segment.
    public struct Segment: Sendable, Equatable {
        public var firstFrame: Int
        public var lastFrame: Int
        public var length: Double
        /// Rotation error per metre, radians/m.
        public var rotationError: Double
        /// Translation error per metre (a ratio; ×100 for %).
        public var translationError: Double
    }

    /// Mean errors over the segments of one length.
    public struct LengthSummary: Sendable, Equatable, Codable {
        public var length: Double
        public var segments: Int
        /// Mean translation error, %.
        public var translationErrorPercent: Double
        /// Mean rotation error, degrees per 100 m.
        public var rotationErrorDegPer100m: Double

        enum CodingKeys: String, CodingKey {
            case length, segments
            case translationErrorPercent = "t_err_percent"
            case rotationErrorDegPer100m = "r_err_deg_per_100m"
        }
    }

    /// All segment errors, their overall means and the per-length table.
    public struct Result: Sendable {
        public var segments: [Segment]
        /// Mean translation error over all segments, % (the leaderboard's t_rel).
        public var translationErrorPercent: Double
        /// Mean rotation error over all segments, degrees per 100 m (r_rel).
        public var rotationErrorDegPer100m: Double
        /// The per-length table (lengths with at least one segment).
        public var perLength: [LengthSummary]
    }

    /// Evaluates an estimate against ground truth with the same number of poses.
    public static func evaluate(groundTruth: Trajectory, estimate: Trajectory, lengths: [Double] = lengths,
                                stepSize: Int = 10) throws(EvaluationError) -> Result {
        guard groundTruth.count == estimate.count else {
            throw .countMismatch(reference: "ground truth", referenceCount: groundTruth.count,
                                 estimate: "estimate", estimateCount: estimate.count)
        }
        guard stepSize > 0 else { throw .invalidOption("step size must be positive") }
        let gt = groundTruth.poses, est = estimate.poses
        // trajectoryDistances(): float accumulation of double-precision steps.
        var dist = [Float](repeating: 0, count: gt.count)
        for i in gt.indices.dropFirst() {
            let d = gt[i - 1].translation - gt[i].translation
            dist[i] = Float(Double(dist[i - 1]) + (d.x * d.x + d.y * d.y + d.z * d.z).squareRoot())
        }
        var segments: [Segment] = []
        for first in stride(from: 0, to: gt.count, by: stepSize) {
            for length in lengths {
                let len = Float(length)
                let threshold = dist[first] + len
                guard let last = (first..<gt.count).first(where: { dist[$0] > threshold }) else { continue }
                let deltaGT = gt[first].inverse * gt[last]
                let deltaEst = est[first].inverse * est[last]
                let e = deltaEst.inverse * deltaGT
                let m = e.rotation.matrix
                let c = 0.5 * (m[0, 0] + m[1, 1] + m[2, 2] - 1)
                let rErr = acos(Swift.max(Swift.min(c, 1), -1))
                let t = e.translation
                let tErr = (t.x * t.x + t.y * t.y + t.z * t.z).squareRoot()
                segments.append(Segment(firstFrame: first, lastFrame: last, length: Double(len),
                                        rotationError: rErr / Double(len), translationError: tErr / Double(len)))
            }
        }
        guard !segments.isEmpty else {
            throw .noPairs("the ground truth path is shorter than the shortest segment (\(lengths.min() ?? 0) m): no KITTI segment to evaluate")
        }
        func means(_ s: [Segment]) -> (Double, Double) {
            let n = Double(s.count)
            return (s.reduce(0) { $0 + $1.translationError } / n * 100,
                    s.reduce(0) { $0 + $1.rotationError } / n * 180 / .pi * 100)
        }
        let all = means(segments)
        let table: [LengthSummary] = lengths.compactMap { length in
            let s = segments.filter { abs($0.length - length) < 1 }
            guard !s.isEmpty else { return nil }
            let m = means(s)
            return LengthSummary(length: length, segments: s.count, translationErrorPercent: m.0, rotationErrorDegPer100m: m.1)
        }
        guard all.0.isFinite, all.1.isFinite else { throw .nonFiniteResult("segment errors") }
        return Result(segments: segments, translationErrorPercent: all.0, rotationErrorDegPer100m: all.1, perLength: table)
    }
}

extension KittiOdometry.Result {
    /// A human-readable summary: overall means, then the per-length table.
    public var table: String {
        var out = "KITTI odometry errors (devkit definition), \(segments.count) segments\n\n"
        out += "       t_err (%)\t" + String(format: "%.6f", translationErrorPercent) + "\n"
        out += "r_err (deg/100m)\t" + String(format: "%.6f", rotationErrorDegPer100m) + "\n\n"
        out += "length (m)\tsegments\tt_err (%)\tr_err (deg/100m)\n"
        for row in perLength {
            out += String(format: "%10.0f\t%8d\t%9.6f\t%.6f\n", row.length, row.segments,
                          row.translationErrorPercent, row.rotationErrorDegPer100m)
        }
        return out
    }

    /// The summary as JSON: `t_err_percent`, `r_err_deg_per_100m`, `segments`, `per_length`.
    public var json: String {
        struct Summary: Codable {
            var t_err_percent: Double
            var r_err_deg_per_100m: Double
            var segments: Int
            var per_length: [KittiOdometry.LengthSummary]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let summary = Summary(t_err_percent: translationErrorPercent, r_err_deg_per_100m: rotationErrorDegPer100m,
                              segments: segments.count, per_length: perLength)
        guard let data = try? encoder.encode(summary) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
