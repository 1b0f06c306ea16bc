import Foundation
import Frontend
import Geometry
import Odometry
import TestSupport
import Testing

/// Synthetic keyframe points seen from a moved camera, with Gaussian noise drawn from the very
/// covariances the solver is told about (so its estimate and covariance can be checked).
struct SyntheticMatches {
    let camera = StereoCamera(fx: 500, fy: 500, cx: 320, cy: 240, baseline: 0.4, width: 640, height: 480)
    var matches: [PoseMatch] = []
    let truth: SE3

    init(truth: SE3, count: Int, seed: UInt64, outliers: Int = 0, pixelSigma: Double = 0.5, disparitySigma: Double = 0.3) {
        self.truth = truth
        var g = SplitMix(state: seed)
        func gauss() -> Double {
            let a = Double.random(in: Double.ulpOfOne...1, using: &g), b = Double.random(in: 0...1, using: &g)
            return (-2 * log(a)).squareRoot() * cos(2 * .pi * b)
        }
        let s2 = pixelSigma * pixelSigma, d2 = disparitySigma * disparitySigma
        while matches.count < count + outliers {
            // A keyframe point (kf camera frame) visible in both frames.
            let p = Vec3(Double.random(in: -8...8, using: &g), Double.random(in: -3...3, using: &g), Double.random(in: 4...40, using: &g))
            let c = truth.inverse * p
            guard c.z > 1 else { continue }
            let uvdTrue = camera.projectStereo(c).uvd
            let kfUVD = camera.projectStereo(p).uvd
            guard camera.contains(SIMD2(uvdTrue.x, uvdTrue.y)), camera.contains(SIMD2(kfUVD.x, kfUVD.y)), uvdTrue.z > 1, kfUVD.z > 1 else { continue }
            // Keyframe observation (noisy) → map point with covariance.
            let kuv = SIMD2(kfUVD.x + pixelSigma * gauss(), kfUVD.y + pixelSigma * gauss()), kd = kfUVD.z + disparitySigma * gauss()
            let kz = camera.depth(disparity: kd)
            let (kp, kcov) = camera.backProject(uv: kuv, pixelCovariance: (s2, 0, s2), depth: kz,
                                                depthVariance: camera.depthVariance(disparity: kd, variance: d2))
            // Current observation (noisy), an outlier when past `count`.
            var uv = SIMD2(uvdTrue.x + pixelSigma * gauss(), uvdTrue.y + pixelSigma * gauss())
            var d = uvdTrue.z + disparitySigma * gauss()
            if matches.count >= count { uv += SIMD2(Double.random(in: 30...80, using: &g), Double.random(in: -60...60, using: &g)); d *= 1.7 }
            let z = camera.depth(disparity: d)
            let (q, qcov) = camera.backProject(uv: uv, pixelCovariance: (s2, 0, s2), depth: z,
                                               depthVariance: camera.depthVariance(disparity: d, variance: d2))
            matches.append(PoseMatch(point: kp, pointCovariance: kcov, uv: uv, uvCovariance: (s2, 0, s2),
                                     stereo: (d, d2, q, qcov)))
        }
    }
}

@Suite struct PoseSolverTests {
    let truth = SE3.exp(Vec6(Vec3(0.3, -0.05, 1.2), Vec3(0.01, 0.04, -0.005)))

    @Test(arguments: ResidualKind.allCases, WeightingMode.allCases)
    func recoversPoseDespiteOutliers(residual: ResidualKind, weighting: WeightingMode) throws {
        let data = SyntheticMatches(truth: truth, count: 300, seed: 11, outliers: 60)
        var cfg = OdometryConfig()
        cfg.residual = residual
        cfg.weighting = weighting
        let solver = PoseSolver(camera: data.camera, config: cfg)
        let est = try #require(solver.solve(data.matches, prediction: .identity))
        let err = (data.truth.inverse * est.pose).log
        // Identity weights let far points' depth errors in at full strength: they cost accuracy
        // (quantified in fullCovarianceBeatsIdentityWeights), yet must still land close.
        let bound = weighting == .identity ? 0.08 : 0.03
        #expect(err.head.norm < bound, "translation error \(err.head.norm) m (\(residual), \(weighting))")
        #expect(err.tail.norm < 0.003, "rotation error \(err.tail.norm) rad (\(residual), \(weighting))")
        // Outliers are rejected, inliers kept.
        let flaggedOutliers = est.inliers.suffix(60).filter { $0 }.count
        #expect(flaggedOutliers <= 3)
        #expect(est.inlierCount >= 270)
    }

    @Test func covarianceIsConsistentWithTheErrors() throws {
        // NEES of the pose over independent draws: ≈ 6 (its dimension) when the covariance is right.
        var nees: [Double] = []
        for seed in 0..<40 {
            let data = SyntheticMatches(truth: truth, count: 200, seed: UInt64(100 + seed))
            let solver = PoseSolver(camera: data.camera, config: OdometryConfig())
            let est = try #require(solver.solve(data.matches, prediction: .identity))
            let e = (data.truth.inverse * est.pose).log
            let info = try #require(est.covariance.inverse)
            nees.append(e.dot(info * e))
        }
        let mean = nees.reduce(0, +) / Double(nees.count)
        print("pose NEES over 40 draws: \(mean) (dimension 6)")
        #expect(mean > 4 && mean < 8.5)
    }

    @Test func fullCovarianceBeatsIdentityWeights() throws {
        // The MAC-VO ablation in miniature: same data, 3D–3D residual, full vs identity weights.
        var errFull = 0.0, errIdentity = 0.0
        for seed in 0..<20 {
            let data = SyntheticMatches(truth: truth, count: 200, seed: UInt64(500 + seed))
            for mode in [WeightingMode.full, .identity] {
                var cfg = OdometryConfig()
                cfg.residual = .pointToPoint
                cfg.weighting = mode
                let est = try #require(PoseSolver(camera: data.camera, config: cfg).solve(data.matches, prediction: .identity))
                let e = (data.truth.inverse * est.pose).log.head.norm
                if mode == .full { errFull += e } else { errIdentity += e }
            }
        }
        print("mean translation error over 20 draws: full \(errFull / 20) m, identity \(errIdentity / 20) m")
        #expect(errFull * 2 < errIdentity)
    }

    @Test func tooFewMatchesGiveNoPose() {
        let data = SyntheticMatches(truth: truth, count: 10, seed: 5)
        let solver = PoseSolver(camera: data.camera, config: OdometryConfig())
        #expect(solver.solve(data.matches, prediction: .identity) == nil)
        #expect(solver.solve([], prediction: .identity) == nil)
    }
}

@Suite struct KeypointSelectorTests {
    let camera = StereoCamera(fx: 500, fy: 500, cx: 320, cy: 240, baseline: 0.4, width: 640, height: 480)

    func point(_ id: Int64, u: Double, v: Double, d: Double, pixelVar: Double = 0.3, dispVar: Double = 0.1) -> StereoPoint {
        let f = Feature(id: id, uv: SIMD2(u, v), previousUV: nil, covariance: (pixelVar, 0, pixelVar), disparity: d,
                        disparityVariance: dispVar, forwardBackwardError: 0, age: 0)
        return StereoPoint(f, camera: camera, minDisparity: 1)!
    }

    @Test func appliesBorderLocalMinimaAndMedianGates() {
        var pts: [StereoPoint] = []
        var id: Int64 = 0
        for y in stride(from: 50.0, to: 430, by: 20) { for x in stride(from: 50.0, to: 590, by: 20) {
            pts.append(point(id, u: x, v: y, d: 20)); id += 1
        } }
        let border = point(id, u: 10, v: 100, d: 20); id += 1
        // Two close points: only the better (smaller Q) survives the 7×7 local-minimum test.
        let good = point(id, u: 305, v: 245, d: 20, pixelVar: 0.2); id += 1
        let worse = point(id, u: 307, v: 246, d: 20, pixelVar: 0.25); id += 1
        // A point far more uncertain than the median.
        let vague = point(id, u: 315, v: 255, d: 20, pixelVar: 3); id += 1
        let selector = KeypointSelector(count: 10_000, border: 32, medianFactor: 1.5, enabled: true)
        let kept = Set(selector.select(pts + [border, good, worse, vague], width: 640, height: 480).map(\.id))
        #expect(!kept.contains(border.id))
        #expect(kept.contains(good.id) && !kept.contains(worse.id))
        #expect(!kept.contains(vague.id))
        #expect(kept.count >= pts.count - 2)
    }

    @Test func spreadsTheBestPointsOverTheImage() {
        var pts: [StereoPoint] = []
        // Many good points crowded in the top-left, a few worse ones elsewhere.
        for i in 0..<200 { pts.append(point(Int64(i), u: 40 + Double(i % 20) * 8, v: 40 + Double(i / 20) * 8, d: 30, pixelVar: 0.2)) }
        for i in 0..<40 { pts.append(point(Int64(1000 + i), u: 360 + Double(i % 8) * 30, v: 260 + Double(i / 8) * 30, d: 30, pixelVar: 0.25)) }
        let selector = KeypointSelector(count: 60, border: 32, medianFactor: 10, enabled: true)
        let kept = selector.select(pts, width: 640, height: 480)
        #expect(kept.count == 60)
        #expect(kept.filter { $0.id >= 1000 }.count >= 30, "the selection must not be all in one corner")
    }
}

/// A point brought to another disparity offset: its disparity moves by the shift, the point stays
/// on its ray (a refined position too) at the depth of the shifted disparity, and a point whose
/// disparity would fall below the minimum is gone.
@Suite struct StereoPointShiftTests {
    let camera = StereoCamera(fx: 500, fy: 500, cx: 320, cy: 240, baseline: 0.4, width: 640, height: 480)

    func point(u: Double, v: Double, disparity: Double) throws -> StereoPoint {
        let f = Feature(id: 7, uv: SIMD2(u, v), previousUV: nil, covariance: (0.1, 0, 0.1), disparity: disparity,
                        disparityVariance: 0.05, forwardBackwardError: 0, age: 1)
        return try #require(StereoPoint(f, camera: camera, minDisparity: 1))
    }

    @Test func theShiftedPointIsTheOneMeasuredWithTheShiftedDisparity() throws {
        let p = try point(u: 400, v: 300, disparity: 10)
        let shifted = try #require(p.shifted(by: 1.5, camera: camera, minDisparity: 1))
        let direct = try point(u: 400, v: 300, disparity: 11.5)
        #expect(shifted.disparity == 11.5)
        #expect((shifted.position - direct.position).norm < 1e-12)
        #expect(abs(shifted.covariance[2, 2] - direct.covariance[2, 2]) < 1e-12)
        // Depth f·b/d: 200/11.5 m.
        #expect(abs(shifted.position.z - 200 / 11.5) < 1e-12)
    }

    @Test func aRefinedPositionMovesAlongItsRay() throws {
        var p = try point(u: 400, v: 300, disparity: 10)
        p.position = p.position * 1.1   // refined: 10 % farther on the same ray (disparity 10/1.1)
        let shifted = try #require(p.shifted(by: -0.5, camera: camera, minDisparity: 1))
        let ray = p.position * (1 / p.position.norm), moved = shifted.position * (1 / shifted.position.norm)
        #expect((ray - moved).norm < 1e-12)
        #expect(abs(camera.disparity(depth: shifted.position.z) - (10 / 1.1 - 0.5)) < 1e-9)
    }

    @Test func aPointBelowTheMinimumDisparityIsGone() throws {
        let p = try point(u: 400, v: 300, disparity: 2)
        #expect(p.shifted(by: -1.5, camera: camera, minDisparity: 1) == nil)
        #expect(p.shifted(by: -1.0, camera: camera, minDisparity: 1) != nil)
    }
}
