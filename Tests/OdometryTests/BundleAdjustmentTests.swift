import Geometry
import Odometry
import Testing
import TestSupport

/// Local bundle adjustment: Jacobians against finite differences, the Schur-reduced step against
/// the full system solved densely, and convergence to the truth on a synthetic problem.
@Suite struct BundleAdjustmentTests {
    static let camera = StereoCamera(fx: 500, fy: 480, cx: 320, cy: 240, baseline: 0.5, width: 640, height: 480)

    /// Four poses driving forward and turning, 40 points in front of them, every point seen by every
    /// pose with its exact stereo projection; covariances differ per observation.
    static func problem(seed: UInt64) -> (truth: BundleProblem, start: BundleProblem) {
        var rng = SplitMix(state: seed)
        let r = { (a: Double) in Double.random(in: -a...a, using: &rng) }
        let poses = (0..<4).map { k in SE3.exp(Vec6(Vec3(0.1 * Double(k), 0, 1.0 * Double(k)), Vec3(0, 0.05 * Double(k), 0))) }
        let points = (0..<40).map { _ in Vec3(r(6), r(3), 8 + r(6) + 6) }
        var observations: [StereoObservation] = []
        for (k, t) in poses.enumerated() {
            for (i, p) in points.enumerated() {
                let (uvd, _) = camera.projectStereo(t.inverse * p)
                let cov = Mat3(rows: Vec3(0.2 + r(0.1), 0.03, 0.01), Vec3(0.03, 0.2 + r(0.1), 0), Vec3(0.01, 0, 0.05 + r(0.02)))
                if let o = StereoObservation(pose: k, point: i, measurement: uvd, covariance: cov) { observations.append(o) }
            }
        }
        let truth = BundleProblem(camera: camera, poses: poses, points: points, observations: observations, fixed: [0])
        var start = truth
        for k in 1..<4 { start.poses[k] = poses[k] * SE3.exp(Vec6(Vec3(r(0.05), r(0.05), r(0.1)), Vec3(r(0.01), r(0.01), r(0.01)))) }
        for i in points.indices { start.points[i] = points[i] + Vec3(r(0.1), r(0.1), r(0.3)) }
        return (truth, start)
    }

    @Test func jacobiansMatchFiniteDifferences() throws {
        let (_, p) = Self.problem(seed: 3)
        let h = 1e-6
        for o in p.observations.prefix(12) {
            let l = try #require(p.linearize(o))
            for c in 0..<6 {
                var plus = p, minus = p
                var xi = [Double](repeating: 0, count: 6); xi[c] = h
                plus.poses[o.pose] = p.poses[o.pose] * SE3.exp(Vec6(xi))
                xi[c] = -h
                minus.poses[o.pose] = p.poses[o.pose] * SE3.exp(Vec6(xi))
                let d = (try #require(plus.linearize(o)).residual - (try #require(minus.linearize(o))).residual) * (1 / (2 * h))
                let analytic = c < 3 ? l.pose.0 : l.pose.1
                for r in 0..<3 { #expect(abs(analytic[r, c % 3] - d[r]) < 1e-4 * max(1, abs(d[r])), "pose column \(c) row \(r)") }
            }
            for c in 0..<3 {
                var plus = p, minus = p
                var e = [0.0, 0, 0]; e[c] = h
                plus.points[o.point] = p.points[o.point] + Vec3(e[0], e[1], e[2])
                minus.points[o.point] = p.points[o.point] - Vec3(e[0], e[1], e[2])
                let d = (try #require(plus.linearize(o)).residual - (try #require(minus.linearize(o))).residual) * (1 / (2 * h))
                for r in 0..<3 { #expect(abs(l.point[r, c] - d[r]) < 1e-4 * max(1, abs(d[r])), "point column \(c) row \(r)") }
            }
        }
    }

    /// The step from eliminating the points equals the step from the whole system, assembled here
    /// from the public residuals and Jacobians and solved by a dense Cholesky.
    @Test func schurStepEqualsTheFullSolve() throws {
        let (_, p) = Self.problem(seed: 5)
        let damping = 1e-3
        let schur = try BundleAdjustment().step(p, damping: damping)
        let n = 3 * 6 + p.points.count * 3   // poses 1…3 are unknowns, then the points
        var a = [Double](repeating: 0, count: n * n), g = [Double](repeating: 0, count: n)
        for o in p.observations {
            let l = try #require(p.linearize(o))
            // 3 × n Jacobian row block of this residual.
            var j = [Double](repeating: 0, count: 3 * n)
            if o.pose > 0 {
                for r in 0..<3 { for c in 0..<3 { j[r * n + (o.pose - 1) * 6 + c] = l.pose.0[r, c]; j[r * n + (o.pose - 1) * 6 + 3 + c] = l.pose.1[r, c] } }
            }
            for r in 0..<3 { for c in 0..<3 { j[r * n + 18 + o.point * 3 + c] = l.point[r, c] } }
            let s2 = l.residual.dot(o.information * l.residual)
            let w = o.information * (s2.squareRoot() <= 2.45 ? 1 : 2.45 / s2.squareRoot())
            for x in 0..<n where (0..<3).contains(where: { j[$0 * n + x] != 0 }) {
                for y in 0..<n {
                    var s = 0.0
                    for r in 0..<3 { for q in 0..<3 { s += j[r * n + x] * w[r, q] * j[q * n + y] } }
                    a[x * n + y] += s
                }
                for r in 0..<3 { for q in 0..<3 { g[x] += j[r * n + x] * w[r, q] * l.residual[q] } }
            }
        }
        for k in 0..<n { a[k * n + k] += damping }
        let full = choleskySolve(a, g.map { -$0 }, n)
        for k in 1..<4 { for c in 0..<6 { #expect(abs(schur.poses[k][c] - full[(k - 1) * 6 + c]) < 1e-9 * max(1, abs(full[(k - 1) * 6 + c]))) } }
        #expect(schur.poses[0][0] == 0 && schur.poses[0][5] == 0)
        for i in p.points.indices { for c in 0..<3 { #expect(abs(schur.points[i][c] - full[18 + i * 3 + c]) < 1e-9 * max(1, abs(full[18 + i * 3 + c]))) } }
    }

    @Test func convergesToTheTruth() throws {
        let (truth, start) = Self.problem(seed: 7)
        var p = start
        let report = try BundleAdjustment().optimize(&p)
        #expect(report.finalCost < 1e-12 && report.initialCost > 1)
        for k in 0..<4 { #expect((p.poses[k].translation - truth.poses[k].translation).norm < 1e-6) }
        for i in p.points.indices { #expect((p.points[i] - truth.points[i]).norm < 1e-5) }
    }

    /// The residual alone (what the cost and the gates evaluate) is the linearisation's, value for
    /// value, and both refuse a point behind the camera.
    @Test func residualIsTheLinearisationsResidual() throws {
        var (_, p) = Self.problem(seed: 3)
        for o in p.observations {
            let l = try #require(p.linearize(o))
            #expect(p.residual(o) == l.residual)
        }
        let o = try #require(p.observations.first)
        p.points[o.point] = p.poses[o.pose] * Vec3(0, 0, -2)
        #expect(p.residual(o) == nil && p.linearize(o) == nil)
    }
}

/// Solves the symmetric positive-definite `a x = b` (row-major `n × n`) by a dense Cholesky.
func choleskySolve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
    var l = [Double](repeating: 0, count: n * n)
    for j in 0..<n {
        var d = a[j * n + j]
        for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
        l[j * n + j] = d.squareRoot()
        for i in (j + 1)..<n {
            var s = a[i * n + j]
            for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
            l[i * n + j] = s / l[j * n + j]
        }
    }
    var y = b
    for i in 0..<n { for k in 0..<i { y[i] -= l[i * n + k] * y[k] }; y[i] /= l[i * n + i] }
    var x = y
    for i in stride(from: n - 1, through: 0, by: -1) { for k in (i + 1)..<n { x[i] -= l[k * n + i] * x[k] }; x[i] /= l[i * n + i] }
    return x
}
