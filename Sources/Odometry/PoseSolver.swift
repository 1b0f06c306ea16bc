import Foundation
import Frontend
import Geometry

/// One map point of the keyframe observed again in the current frame.
public struct PoseMatch: Sendable {
    /// Position in the keyframe's camera frame and its covariance.
    public var point: Vec3
    public var pointCovariance: Mat3
    /// Observation in the current left image and its (accumulated) 2×2 covariance.
    public var uv: SIMD2<Double>
    public var uvCovariance: (uu: Double, uv: Double, vv: Double)
    /// Stereo in the current frame, when matched: disparity and variance, 3D point and covariance.
    public var stereo: (disparity: Double, variance: Double, point: Vec3, covariance: Mat3)?

    public init(point: Vec3, pointCovariance: Mat3, uv: SIMD2<Double>, uvCovariance: (uu: Double, uv: Double, vv: Double),
                stereo: (disparity: Double, variance: Double, point: Vec3, covariance: Mat3)?) {
        self.point = point; self.pointCovariance = pointCovariance; self.uv = uv; self.uvCovariance = uvCovariance; self.stereo = stereo
    }

    /// Keyframe point `p` observed as `observation` (a feature of the current frame, its 2D
    /// covariance `uvCovariance`, with stereo when it triangulates above `minDisparity`).
    public init(_ p: StereoPoint, observedAs observation: Feature, uvCovariance: (uu: Double, uv: Double, vv: Double),
                camera: StereoCamera, minDisparity: Double) {
        self.init(point: p.position, pointCovariance: p.covariance, uv: observation.uv, uvCovariance: uvCovariance,
                  stereo: StereoPoint(observation, camera: camera, minDisparity: minDisparity)?.observation)
    }
}

/// The result of a pose solve: `T_keyframe_current`, its 6×6 covariance (right perturbation,
/// (ρ, φ) order) and which matches are inliers.
public struct PoseEstimate: Sendable {
    public var pose: SE3
    public var covariance: Mat6
    public var inliers: [Bool]
    public var inlierCount: Int
    /// Mean of rᵀWr over the inliers (≈ dof when the uncertainty model is calibrated).
    public var meanChiSquare: Double
}

/// Robust, covariance-weighted pose of the current frame relative to the keyframe
/// (METHOD.md §5): minimal-solver RANSAC (3-point absolute orientation on stereo points, plus the
/// motion-model prediction as one more hypothesis), then Gauss–Newton on SE(3) with Mahalanobis
/// residuals under a Huber kernel, weights recomputed every iteration.
public struct PoseSolver: Sendable {
    public var camera: StereoCamera
    public var config: OdometryConfig

    public init(camera: StereoCamera, config: OdometryConfig) { self.camera = camera; self.config = config }

    /// Residual, 3×6 Jacobian (rows) and weight of one match at pose `t`; `dof` 2 or 3.
    struct Linearised {
        var r: Vec3
        var j0: Vec6, j1: Vec6, j2: Vec6
        var w: Mat3
        var dof: Int
        var chi2: Double { r.dot(w * r) }
    }

    func linearise(_ m: PoseMatch, at t: SE3, weighting: WeightingMode, isotropic: Double) -> Linearised? {
        let r = t.rotation.matrix
        switch config.residual {
        case .pointToPoint:
            guard let s = m.stereo else { return nil }
            let res = t * s.point - m.point
            let cov = r * s.covariance * r.transposed + m.pointCovariance
            // ∂(T exp(ξ) q)/∂ξ = [R, −R[q]×]
            let jr = r * Mat3.skew(s.point) * -1
            let j0 = Vec6(r.r0, jr.r0), j1 = Vec6(r.r1, jr.r1), j2 = Vec6(r.r2, jr.r2)
            guard let w = weight(cov, dof: 3, weighting, isotropic) else { return nil }
            return Linearised(r: res, j0: j0, j1: j1, j2: j2, w: w, dof: 3)
        case .reprojection:
            let c = t.inverse * m.point
            guard c.z > 1e-3 else { return nil }
            let (uvd, jp) = camera.projectStereo(c)
            // ∂c/∂ξ = [−I, [c]×]
            let jc = jp * Mat3.skew(c)
            let j0 = Vec6(-jp.r0, jc.r0), j1 = Vec6(-jp.r1, jc.r1), j2 = Vec6(-jp.r2, jc.r2)
            // Measurement covariance plus the map point's covariance seen from the current frame.
            let jpr = jp * r.transposed
            let prop = jpr * m.pointCovariance * jpr.transposed
            var cov = Mat3(rows: Vec3(m.uvCovariance.uu, m.uvCovariance.uv, 0), Vec3(m.uvCovariance.uv, m.uvCovariance.vv, 0), .zero) + prop
            var res = Vec3(uvd.x - m.uv.x, uvd.y - m.uv.y, 0)
            var dof = 2
            if let s = m.stereo {
                res.z = uvd.z - s.disparity
                cov[2, 2] += s.variance
                dof = 3
            } else {
                cov.r2 = Vec3(0, 0, 1); cov[0, 2] = 0; cov[1, 2] = 0
            }
            guard var w = weight(cov, dof: dof, weighting, isotropic) else { return nil }
            if dof == 2 { w.r2 = .zero; w[0, 2] = 0; w[1, 2] = 0 }
            return Linearised(r: res, j0: j0, j1: j1, j2: dof == 3 ? j2 : .zero, w: w, dof: dof)
        }
    }

    private func weight(_ cov: Mat3, dof: Int, _ mode: WeightingMode, _ isotropic: Double) -> Mat3? {
        switch mode {
        case .full: return cov.inverse
        case .diagonal:
            guard cov[0, 0] > 0, cov[1, 1] > 0, cov[2, 2] > 0 else { return nil }
            return Mat3(diagonal: Vec3(1 / cov[0, 0], 1 / cov[1, 1], 1 / cov[2, 2]))
        case .identity: return Mat3(diagonal: Vec3(1, 1, 1) / isotropic)
        }
    }

    /// Mean per-axis variance over the matches: the scale of the identity weighting.
    private func isotropicScale(_ matches: [PoseMatch], at t: SE3) -> Double {
        var s = 0.0, n = 0
        for m in matches {
            guard let l = linearise(m, at: t, weighting: .full, isotropic: 1), let c = l.w.inverse else { continue }
            s += (l.dof == 3 ? c.trace : c[0, 0] + c[1, 1]) / Double(l.dof); n += 1
        }
        return n > 0 ? s / Double(n) : 1
    }

    /// χ² gate scaled to the residual's degrees of freedom.
    private func gate(_ dof: Int) -> Double { dof == 3 ? config.inlierChiSquare : config.inlierChiSquare * 9.21 / 11.34 }

    /// Inlier flags of a hypothesis (always with the full covariance: the gate is a statistical test).
    func inliers(_ matches: [PoseMatch], at t: SE3) -> [Bool] {
        let r = t.rotation.matrix
        return matches.map { m in
            guard let (chi2, dof) = chiSquare(m, at: t, rotation: r) else { return false }
            return chi2 < gate(dof)
        }
    }

    /// The number of inliers of a hypothesis when it exceeds `toBeat`, else nil (decided as soon
    /// as the matches left cannot lift the count above it).
    func inlierCount(_ matches: [PoseMatch], at t: SE3, toBeat: Int) -> Int? {
        let r = t.rotation.matrix
        var count = 0, left = matches.count
        for m in matches {
            if count + left <= toBeat { return nil }
            left -= 1
            if let (chi2, dof) = chiSquare(m, at: t, rotation: r), chi2 < gate(dof) { count += 1 }
        }
        return count > toBeat ? count : nil
    }

    /// rᵀΣ⁻¹r of one match at pose `t` (rotation matrix `r`) under the full covariance, with its
    /// degrees of freedom; nil without a residual. As `linearise` with `.full` weighting, without
    /// the Jacobians (the RANSAC inlier test evaluates every match for every hypothesis).
    func chiSquare(_ m: PoseMatch, at t: SE3, rotation r: Mat3) -> (Double, Int)? {
        guard config.residual == .pointToPoint else {
            return linearise(m, at: t, weighting: .full, isotropic: 1).map { ($0.chi2, $0.dof) }
        }
        guard let s = m.stereo else { return nil }
        let res = t * s.point - m.point
        guard let w = (r * s.covariance * r.transposed + m.pointCovariance).inverse else { return nil }
        return (res.dot(w * res), 3)
    }

    /// Estimates `T_keyframe_current`; nil when too few inliers support any hypothesis.
    /// `priorInformation` (6×6, (ρ, φ)) weights the prediction as a prior on the pose; nil for none.
    public func solve(_ matches: [PoseMatch], prediction: SE3, priorInformation: Mat6? = nil) -> PoseEstimate? {
        guard matches.count >= 3 else { return nil }
        var rng = SplitMix64(state: config.seed &+ UInt64(matches.count))
        let stereoIdx = matches.indices.filter { matches[$0].stereo != nil }
        var best = prediction
        var bestMask = inliers(matches, at: prediction)
        var bestCount = bestMask.filter { $0 }.count
        var needed = config.ransacIterations
        var it = 0
        while it < needed && stereoIdx.count >= 3 {
            it += 1
            var pick: [Int] = []
            while pick.count < 3 {
                let k = stereoIdx[Int(rng.next() % UInt64(stereoIdx.count))]
                if !pick.contains(k) { pick.append(k) }
            }
            let q = pick.map { matches[$0].stereo!.point }, p = pick.map { matches[$0].point }
            guard let sim = try? umeyamaAlignment(q, p, withScale: false) else { continue }
            let hyp = SE3(rotation: sim.rotation, translation: sim.translation)
            if let prior = priorInformation {
                let r = (prediction.inverse * hyp).log
                guard r.dot(prior * r) < 22.46 else { continue }  // χ²(6) 99.9 %
            }
            // Counting stops once this hypothesis can no longer beat the best one.
            guard let count = inlierCount(matches, at: hyp, toBeat: bestCount) else { continue }
            if count > bestCount {
                best = hyp; bestMask = inliers(matches, at: hyp); bestCount = count
                let ratio = Double(count) / Double(matches.count)
                let denom = log(max(1e-12, 1 - ratio * ratio * ratio))
                if denom < 0 { needed = min(config.ransacIterations, Int(ceil(log(1 - config.ransacConfidence) / denom))) }
            }
        }
        guard bestCount >= max(3, config.minInliers) else { return nil }
        // Refine on the inliers, re-select inliers at the refined pose, refine again.
        var pose = best
        var mask = bestMask
        var hessian = Mat6.identity
        for _ in 0..<4 {
            let subset = matches.indices.filter { mask[$0] }.map { matches[$0] }
            (pose, hessian) = refine(subset, from: pose, prior: priorInformation.map { (prediction, $0) })
            let next = inliers(matches, at: pose)
            if next.filter({ $0 }).count < config.minInliers { return nil }
            if next == mask { break }
            mask = next
        }
        let count = mask.filter { $0 }.count
        guard count >= config.minInliers, let cov = hessian.inverse, cov.isFinite else { return nil }
        var chi = 0.0
        for (m, ok) in zip(matches, mask) where ok { chi += linearise(m, at: pose, weighting: .full, isotropic: 1)?.chi2 ?? 0 }
        return PoseEstimate(pose: pose, covariance: cov, inliers: mask, inlierCount: count, meanChiSquare: chi / Double(max(count, 1)))
    }

    /// The six elements of `v` in the first lanes of a SIMD vector.
    @inline(__always) private func lanes(_ v: Vec6) -> SIMD8<Double> {
        SIMD8(v.head.x, v.head.y, v.head.z, v.tail.x, v.tail.y, v.tail.z, 0, 0)
    }

    /// Gauss–Newton with Huber weights and an optional prior (mean, information) on the pose;
    /// returns the pose and the final normal matrix JᵀWJ (+ the prior's information).
    func refine(_ matches: [PoseMatch], from start: SE3, prior: (SE3, Mat6)? = nil) -> (SE3, Mat6) {
        var t = start
        var h = Mat6.identity
        let iso = config.weighting == .identity ? isotropicScale(matches, at: start) : 1
        for _ in 0..<config.solverIterations {
            // JᵀWJ and JᵀWr by rows (6 lanes of 8): H += Σ_a j_a (k Σ_b w_ab j_b)ᵀ.
            var hr = InlineArray<6, SIMD8<Double>>(repeating: .zero)
            var gv = SIMD8<Double>.zero
            for m in matches {
                guard let l = linearise(m, at: t, weighting: config.weighting, isotropic: iso) else { continue }
                let e = l.chi2.squareRoot()
                let k = e <= config.huberThreshold ? 1 : config.huberThreshold / e
                let a0 = lanes(l.j0), a1 = lanes(l.j1), a2 = lanes(l.j2)
                let w = l.w * k
                let u0 = a0 * w.r0.x + a1 * w.r0.y + a2 * w.r0.z
                let u1 = a0 * w.r1.x + a1 * w.r1.y + a2 * w.r1.z
                let u2 = a0 * w.r2.x + a1 * w.r2.y + a2 * w.r2.z
                gv += u0 * l.r.x + u1 * l.r.y + u2 * l.r.z
                for i in 0..<6 { hr[i] += u0 * a0[i] + u1 * a1[i] + u2 * a2[i] }
            }
            h = Mat6()
            for i in 0..<6 { for jj in 0..<6 { h[i, jj] = hr[i][jj] } }
            var g = Vec6(Vec3(gv[0], gv[1], gv[2]), Vec3(gv[3], gv[4], gv[5]))
            if let (mean, info) = prior {
                // r = log(mean⁻¹ T); for the small deviations a prior admits, ∂r/∂δ ≈ I.
                let r = (mean.inverse * t).log
                g = g + info * r
                for i in 0..<6 { for jj in 0..<6 { h[i, jj] += info[i, jj] } }
            }
            guard let hi = h.inverse else { break }
            let dx = -(hi * g)
            t = t * SE3.exp(dx)
            if dx.norm < 1e-9 { break }
        }
        return (t, h)
    }
}
