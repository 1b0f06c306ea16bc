import Foundation
import Geometry
import Trajectories

/// TartanAir's metrics as its evaluation tool (`tartanair_tools/evaluation`) computes them for
/// one trajectory pair with the same number of poses:
///
/// - ATE: the ground truth is rigidly aligned onto the estimate (Horn/Umeyama on positions);
///   with `scale` (monocular) the estimate is scaled by the least-squares factor first, so the
///   error is in ground-truth units: `eᵢ = R(gᵢ − ḡ) − s(pᵢ − p̄)`, ATE = RMS ‖eᵢ‖.
/// - Both trajectories are shifted to start at the identity; with `scale` the estimate's
///   positions are multiplied by `1 / mean(‖Δpᵢ‖ / ‖Δgᵢ‖)` over steps where ‖Δgᵢ‖ > 1e-4.
/// - RPE over all ordered pairs `(i, j)`: `E = (P_j⁻¹P_i)⁻¹(G_j⁻¹G_i)`, mean ‖t(E)‖ and mean
///   rotation angle `acos((tr R(E) − 1)/2)` (radians). The tool evaluates every pair below 100
///   poses and 10 000 random pairs above; all pairs are used here (the mean that sampling
///   estimates), so results are deterministic.
/// - KITTI-style: segments of 5, 10, …, 40 m starting at every frame, errors per metre, averaged
///   per length, then the mean over lengths (rotation in deg/m, translation as a ratio).
///
/// Rigid changes of axes (NED ↔ camera) leave every one of these numbers unchanged.
public enum TartanAirMetrics {
    /// The tool's KITTI-style segment lengths, metres.
    public static let lengths: [Double] = [5, 10, 15, 20, 25, 30, 35, 40]

    /// The tool's scores (`ate_score`, `rpe_score`, `kitti_score`) with the scales used.
    public struct Result: Sendable, Codable, Equatable {
        /// Absolute trajectory error, metres (ground-truth units).
        public var ate: Double
        /// The ATE alignment's scale (1 without `scale`).
        public var ateScale: Double
        /// Scale applied to the estimate for RPE and KITTI metrics (1 without `scale`).
        public var scale: Double
        /// Mean RPE rotation, radians, and translation, metres.
        public var rpeRotation: Double
        public var rpeTranslation: Double
        /// KITTI-style mean rotation error, deg/m, and translation error, ratio (×100 for %).
        public var kittiRotation: Double
        public var kittiTranslation: Double

        enum CodingKeys: String, CodingKey {
            case ate, scale
            case ateScale = "ate_scale"
            case rpeRotation = "rpe_rot_rad"
            case rpeTranslation = "rpe_trans_m"
            case kittiRotation = "kitti_rot_deg_per_m"
            case kittiTranslation = "kitti_trans_ratio"
        }
    }

    /// The tool's scores for one pair (same number of poses); `scale` for monocular estimates.
    public static func evaluate(groundTruth: Trajectory, estimate: Trajectory, scale: Bool) throws(EvaluationError) -> Result {
        guard groundTruth.count == estimate.count else {
            throw .countMismatch(reference: "ground truth", referenceCount: groundTruth.count,
                                 estimate: "estimate", estimateCount: estimate.count)
        }
        guard groundTruth.count >= 2 else { throw .noPairs("TartanAir metrics need at least two poses") }
        let (ate, ateScale) = try absoluteError(groundTruth.positions, estimate.positions, scale: scale)

        let gt = groundTruth.startingAtIdentity.poses
        var est = estimate.startingAtIdentity.poses
        var s = 1.0
        if scale {
            var sum = 0.0, count = 0
            for i in 1..<gt.count {
                let speedGT = (gt[i].translation - gt[i - 1].translation).norm
                guard speedGT > 1e-4 else { continue }
                sum += (est[i].translation - est[i - 1].translation).norm / speedGT
                count += 1
            }
            guard count > 0, sum > 0 else { throw .degenerateAlignment("the ground truth does not move: no scale to estimate") }
            s = 1 / (sum / Double(count))
            est = est.map { SE3(rotation: $0.rotation, translation: $0.translation * s) }
        }
        let (rpeRot, rpeTrans) = relativeErrors(gt, est)
        let (kittiRot, kittiTrans) = kittiErrors(gt, est)
        // The KITTI-style figures are NaN by design when no segment fits a short path.
        guard [ate, ateScale, s, rpeRot, rpeTrans].allSatisfy(\.isFinite) else {
            throw .nonFiniteResult("TartanAir metrics")
        }
        return Result(ate: ate, ateScale: ateScale, scale: s, rpeRotation: rpeRot, rpeTranslation: rpeTrans,
                      kittiRotation: kittiRot, kittiTranslation: kittiTrans)
    }

    /// ATE with the ground truth aligned onto the estimate (and the estimate scaled to it).
    static func absoluteError(_ g: [Vec3], _ p: [Vec3], scale: Bool) throws(EvaluationError) -> (Double, Double) {
        let sim = try alignPositions(g, p, withScale: false, minimumRank: 1)   // R: ground truth → estimate
        let n = Double(g.count)
        let gMean = g.reduce(Vec3.zero, +) / n, pMean = p.reduce(Vec3.zero, +) / n
        var s = 1.0
        if scale {
            var dots = 0.0, norms = 0.0
            for i in g.indices {
                let gc = g[i] - gMean
                dots += (p[i] - pMean).dot(sim.rotation * gc)
                norms += gc.squaredNorm
            }
            s = norms / dots
        }
        var sse = 0.0
        for i in g.indices { sse += (sim.rotation * (g[i] - gMean) - s * (p[i] - pMean)).squaredNorm }
        return ((sse / n).squareRoot(), s)
    }

    static func angle(_ e: SE3) -> Double {
        acos(Swift.min(1, Swift.max(-1, (e.rotation.matrix.trace - 1) / 2)))
    }

    static func relativeErrors(_ gt: [SE3], _ est: [SE3]) -> (Double, Double) {
        var rot = 0.0, trans = 0.0
        let inverseEst = est.map(\.inverse), inverseGT = gt.map(\.inverse)
        for i in gt.indices {
            for j in gt.indices {
                let e = (inverseEst[j] * est[i]).inverse * (inverseGT[j] * gt[i])
                trans += e.translation.norm
                rot += angle(e)
            }
        }
        let n = Double(gt.count * gt.count)
        return (rot / n, trans / n)
    }

    static func kittiErrors(_ gt: [SE3], _ est: [SE3]) -> (Double, Double) {
        let dist = Trajectory(poses: gt).distances
        var perLengthRot: [Double] = [], perLengthTrans: [Double] = []
        for length in lengths {
            var rot = 0.0, trans = 0.0, count = 0
            var last = 0
            for first in gt.indices {
                // The first frame whose distance exceeds dist[first] + length (non-decreasing).
                last = Swift.max(last, first)
                while last < dist.count && !(dist[last] > dist[first] + length) { last += 1 }
                guard last < dist.count else { break }
                let e = (est[first].inverse * est[last]).inverse * (gt[first].inverse * gt[last])
                rot += angle(e) / length
                trans += e.translation.norm / length
                count += 1
            }
            guard count > 0 else { continue }
            perLengthRot.append(rot / Double(count) * 180 / .pi)
            perLengthTrans.append(trans / Double(count))
        }
        guard !perLengthRot.isEmpty else { return (.nan, .nan) }
        return (perLengthRot.reduce(0, +) / Double(perLengthRot.count),
                perLengthTrans.reduce(0, +) / Double(perLengthTrans.count))
    }
}

extension TartanAirMetrics.Result {
    /// The scores as the tool reports them, one per line.
    public var table: String {
        let rows: [(String, Double)] = [
            ("ATE (m)", ate), ("ATE scale", ateScale), ("scale", scale),
            ("RPE rot (rad)", rpeRotation), ("RPE trans (m)", rpeTranslation),
            ("KITTI rot (deg/m)", kittiRotation), ("KITTI trans (ratio)", kittiTranslation),
        ]
        return "TartanAir metrics\n\n" + rows.map { name, value in
            String(repeating: " ", count: Swift.max(0, 20 - name.count)) + name + "\t" + String(format: "%.6f", value) + "\n"
        }.joined()
    }

    /// The scores as JSON (NaN, when no KITTI segment fits, is written as "nan").
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
