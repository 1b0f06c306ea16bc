import Frontend
import Geometry

/// Online estimate of a constant disparity offset of the rig (stereo self-calibration): true
/// disparity = measured + δ. A small relative yaw between the rectified cameras, left by their
/// calibration or by the rig flexing, shifts every disparity by about f·Δψ pixels; depth from
/// disparity is then biased by δ/d, a scale error that grows as points get farther (1 px is
/// 4 % at 25 px of disparity). A rigid scene tells it apart from motion: points at different
/// depths must agree on one motion between two frames, and only the right δ makes them agree.
///
/// Each new keyframe contributes a joint Gauss–Newton solve of its pose relative to the previous
/// keyframe and δ over their inlier matches ((u, v, d) residuals, each point triangulated with δ
/// in both frames), whose marginal information on δ weighs it into a running estimate that starts
/// from the configured offset with a 0.5 px prior. Keyframes that barely constrain δ (little
/// translation, one depth) move it little; the frames between two keyframes share its points and
/// would count the same evidence again, so they do not update it.
///
/// The estimate is applied only once it has left the starting value by more than `deadband`
/// (0.5 px): on rendered sequences, whose true offset is 0, the running estimate wanders up to
/// 0.25 px (the tracker's own small errors in looming patches look like a depth scale), and an
/// offset of that size applied there costs more accuracy than it corrects.
public struct DisparityOffsetEstimator: Sendable {
    /// The current estimate, pixels.
    public private(set) var estimate: Double
    /// The configured starting value, applied until the estimate leaves it by more than `deadband`.
    private let initial: Double
    private let deadband: Double
    /// Information (1/px²) accumulated in `offset`, capped so that the estimate can follow a rig
    /// that changes and so that the correlated frames of one keyframe do not make it overconfident.
    private var information = 0.0
    private let maxInformation: Double
    private let gate: Double

    /// `initial`: the offset to start from (a calibrated value, or 0), with a prior of
    /// `priorStandardDeviation`; `minStandardDeviation`: the smallest uncertainty the estimate
    /// may claim; `deadband`: how far the estimate must leave `initial` to be applied; `gate`: χ²
    /// (3 dof) beyond which a match is left out.
    public init(initial: Double, priorStandardDeviation: Double = 0.5, minStandardDeviation: Double = 0.05,
         deadband: Double = 0.5, gate: Double = 11.34) {
        estimate = initial
        self.initial = initial
        self.deadband = deadband
        information = 1 / (priorStandardDeviation * priorStandardDeviation)
        maxInformation = 1 / (minStandardDeviation * minStandardDeviation)
        self.gate = gate
    }

    /// A match of a keyframe point with its current observation, both measured with the current
    /// offset applied.
    public struct Match: Sendable {
        public var keyframe: (uv: SIMD2<Double>, disparity: Double, variance: Double, pixel: (uu: Double, vv: Double))
        public var current: (uv: SIMD2<Double>, disparity: Double, variance: Double, pixel: (uu: Double, vv: Double))
        public init(keyframe: (uv: SIMD2<Double>, disparity: Double, variance: Double, pixel: (uu: Double, vv: Double)),
                    current: (uv: SIMD2<Double>, disparity: Double, variance: Double, pixel: (uu: Double, vv: Double))) {
            self.keyframe = keyframe; self.current = current
        }
    }

    /// The offset to apply to measured disparities: the estimate once it has left the starting
    /// value by more than the deadband, the starting value until then.
    public var offset: Double { abs(estimate - initial) > deadband ? estimate : initial }

    /// Updates the estimate from one frame whose disparities had `offset` applied: `relative` is
    /// its solved pose in the keyframe (`T_keyframe_current`). Returns the frame's own residual
    /// offset and its standard deviation (nil when the frame does not constrain it).
    @discardableResult
    public mutating func update(_ matches: [Match], relative: SE3, camera: StereoCamera) -> (residual: Double, sigma: Double)? {
        let applied = offset
        guard let (residual, info) = Self.solve(matches, toCurrent: relative.inverse, camera: camera, gate: gate),
              info > 0, abs(residual) < 3 else { return nil }
        let total = min(information + info, maxInformation)
        estimate += (applied + residual - estimate) * info / (information + info)
        information = total
        return (residual, 1 / info.squareRoot())
    }

    /// The joint solve: returns δ and its marginal information, or nil with too few inliers.
    /// Gauss–Newton on the pose (left perturbation) and δ; the normal equations are split into the
    /// pose block A (6×6), its coupling b with δ and δ's own c, and δ's marginal information is the
    /// Schur complement c − bᵀA⁻¹b.
    public static func solve(_ matches: [Match], toCurrent t0: SE3, camera: StereoCamera, gate: Double) -> (Double, Double)? {
        var t = t0, delta = 0.0
        var inliers = matches.filter { (chi2($0, t, delta, camera) ?? .infinity) <= gate }
        guard inliers.count >= 30 else { return nil }
        var marginal = 0.0
        for _ in 0..<4 {
            var a = Mat6(), b = [Double](repeating: 0, count: 6), c = 0.0, gPose = [Double](repeating: 0, count: 6), gOffset = 0.0
            for m in inliers {
                // A match whose residual is undefined near the estimate (behind the camera) is left out.
                guard let (r, w) = residual(m, t, delta, camera), let j = jacobian(m, t, delta, camera) else { continue }
                // Huber on the whitened residual: matches far from the fit weigh less.
                let norm = (r.x * r.x * w.x + r.y * r.y * w.y + r.z * r.z * w.z).squareRoot()
                let robust = norm <= 2.45 ? 1 : 2.45 / norm
                let wr = Vec3(w.x * r.x, w.y * r.y, w.z * r.z) * robust
                let wOffset = Vec3(w.x * j.offset.x, w.y * j.offset.y, w.z * j.offset.z) * robust
                for p in 0..<6 {
                    gPose[p] += j.pose[p].dot(wr)
                    b[p] += j.pose[p].dot(wOffset)
                    for q in 0..<6 { a[p, q] += j.pose[p].dot(Vec3(w.x * j.pose[q].x, w.y * j.pose[q].y, w.z * j.pose[q].z) * robust) }
                }
                gOffset += j.offset.dot(wr)
                c += j.offset.dot(wOffset)
            }
            guard let aInverse = a.inverse else { return nil }
            let aInvB = aInverse * Vec6(b), aInvG = aInverse * Vec6(gPose)
            marginal = c - Vec6(b).dot(aInvB)
            guard marginal > 0 else { return nil }
            let step = -(gOffset - Vec6(b).dot(aInvG)) / marginal
            t = SE3.exp((aInvG + aInvB * step) * -1.0) * t
            delta += step
            if abs(step) < 1e-4 { break }
        }
        inliers = inliers.filter { (chi2($0, t, delta, camera) ?? .infinity) <= gate }
        guard inliers.count >= 30, marginal.isFinite, delta.isFinite else { return nil }
        return (delta, marginal)
    }

    /// Central-difference Jacobians of a match's residual with respect to the six pose
    /// parameters (left perturbation of `t`) and δ; nil where a residual is undefined.
    static func jacobian(_ m: Match, _ t: SE3, _ delta: Double, _ camera: StereoCamera) -> (pose: [Vec3], offset: Vec3)? {
        var pose: [Vec3] = []
        for p in 0..<6 {
            var xi = [Double](repeating: 0, count: 6)
            xi[p] = 1e-6
            guard let (rp, _) = residual(m, SE3.exp(Vec6(xi)) * t, delta, camera),
                  let (rm, _) = residual(m, SE3.exp(Vec6(xi.map { -$0 })) * t, delta, camera) else { return nil }
            pose.append((rp - rm) * (1 / 2e-6))
        }
        guard let (rp, _) = residual(m, t, delta + 1e-4, camera), let (rm, _) = residual(m, t, delta - 1e-4, camera) else { return nil }
        return (pose, (rp - rm) * (1 / 2e-4))
    }

    /// The (u, v, d) residual of a match with the current frame at `t` (`T_current_keyframe`) and
    /// an offset `delta` added to both disparities, and the inverse variances of its components.
    static func residual(_ m: Match, _ t: SE3, _ delta: Double, _ camera: StereoCamera) -> (Vec3, Vec3)? {
        let dk = m.keyframe.disparity + delta, dc = m.current.disparity + delta
        guard dk > 0.1, dc > 0.1 else { return nil }
        let p = t * camera.backProject(u: m.keyframe.uv.x, v: m.keyframe.uv.y, disparity: dk).point
        guard p.z > 0.1 else { return nil }
        let predicted = camera.projectStereo(p).uvd
        let r = Vec3(predicted.x - m.current.uv.x, predicted.y - m.current.uv.y, predicted.z - dc)
        // The keyframe point's pixel and disparity noise carried roughly one to one.
        let w = Vec3(1 / (m.current.pixel.uu + m.keyframe.pixel.uu), 1 / (m.current.pixel.vv + m.keyframe.pixel.vv),
                     1 / (m.current.variance + m.keyframe.variance))
        return (r, w)
    }

    static func chi2(_ m: Match, _ t: SE3, _ delta: Double, _ camera: StereoCamera) -> Double? {
        residual(m, t, delta, camera).map { r, w in r.x * r.x * w.x + r.y * r.y * w.y + r.z * r.z * w.z }
    }
}
