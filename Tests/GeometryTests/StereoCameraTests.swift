import Foundation
import Geometry
import TestSupport
import Testing

@Suite struct StereoCameraTests {
    let cam = StereoCamera(fx: 707.0912, fy: 707.0912, cx: 601.8873, cy: 183.1104, baseline: 0.5372, width: 1226, height: 370)

    @Test func projectionJacobiansMatchFiniteDifferences() {
        let p = Vec3(1.3, -0.4, 12.5)
        let (uvd, j) = cam.projectStereo(p)
        let num = numericJacobian(n: 3, m: 3) { d in
            let q = cam.projectStereo(p + Vec3(d[0], d[1], d[2])).uvd
            return [q.x, q.y, q.z]
        }
        for r in 0..<3 { for c in 0..<3 { #expect(abs(j[r, c] - num[r][c]) < 1e-5) } }
        let (uv, du, dv) = cam.projectWithJacobian(p)
        #expect(abs(uv.x - uvd.x) < 1e-12 && abs(uv.y - uvd.y) < 1e-12)
        #expect((du - j.r0).norm < 1e-12 && (dv - j.r1).norm < 1e-12)
    }

    @Test func backProjectionInvertsProjection() {
        let p = Vec3(-2.0, 0.7, 31.0)
        let uvd = cam.projectStereo(p).uvd
        let (q, j) = cam.backProject(u: uvd.x, v: uvd.y, disparity: uvd.z)
        #expect((q - p).norm < 1e-10)
        let num = numericJacobian(n: 3, m: 3, h: 1e-5) { d in
            let r = cam.backProject(u: uvd.x + d[0], v: uvd.y + d[1], disparity: uvd.z + d[2]).point
            return [r.x, r.y, r.z]
        }
        for r in 0..<3 { for c in 0..<3 { #expect(abs(j[r, c] - num[r][c]) < 1e-4 * max(1, abs(num[r][c]))) } }
        // The product of the two Jacobians is the identity.
        let id = cam.projectStereo(p).jacobian * j
        #expect(maxAbs(id, .identity) < 1e-10)
    }

    @Test func disparityDepthDuality() {
        #expect(abs(cam.depth(disparity: cam.disparity(depth: 17.25)) - 17.25) < 1e-12)
        #expect(abs(cam.disparity(depth: 10) - 707.0912 * 0.5372 / 10) < 1e-12)
    }

    @Test func validationRejectsBadIntrinsics() {
        #expect(throws: StereoCamera.ValidationError.nonPositiveFocalLength(-1, 700)) {
            try StereoCamera(fx: -1, fy: 700, cx: 0, cy: 0, baseline: 0.5, width: 10, height: 10).validate()
        }
        #expect(throws: StereoCamera.ValidationError.nonPositiveBaseline(0)) {
            try StereoCamera(fx: 700, fy: 700, cx: 0, cy: 0, baseline: 0, width: 10, height: 10).validate()
        }
        #expect(throws: StereoCamera.ValidationError.nonFinite("cx")) {
            try StereoCamera(fx: 700, fy: 700, cx: .nan, cy: 0, baseline: 0.5, width: 10, height: 10).validate()
        }
        #expect(throws: Never.self) { try cam.validate() }
    }
}

@Suite struct PointCovarianceTests {
    @Test func matchesMonteCarloSecondMoments() {
        let cam = StereoCamera(fx: 700, fy: 690, cx: 600, cy: 180, baseline: 0.54, width: 1226, height: 370)
        let uv = SIMD2(900.0, 60.0), s = (uu: 2.0, uv: 0.7, vv: 1.1)
        let z = 12.0, sz = 0.8
        let (p, cov) = cam.backProject(uv: uv, pixelCovariance: s, depth: z, depthVariance: sz)
        // Sample u, v jointly Gaussian and z independent; compare sample covariance.
        var g = SplitMix(state: 42)
        func gauss() -> Double {
            let a = Double.random(in: Double.ulpOfOne...1, using: &g), b = Double.random(in: 0...1, using: &g)
            return (-2 * log(a)).squareRoot() * cos(2 * .pi * b)
        }
        let l11 = s.uu.squareRoot(), l21 = s.uv / l11, l22 = (s.vv - l21 * l21).squareRoot()
        let n = 200_000
        var mean = Vec3.zero, m2 = Mat3.zero
        var samples: [Vec3] = []
        samples.reserveCapacity(n)
        for _ in 0..<n {
            let a = gauss(), b = gauss()
            let u = uv.x + l11 * a, v = uv.y + l21 * a + l22 * b
            let zz = z + sz.squareRoot() * gauss()
            let q = cam.backProject(u: u, v: v, depth: zz)
            samples.append(q); mean += q
        }
        mean /= Double(n)
        for q in samples { let d = q - mean; m2 += Mat3.outer(d, d) }
        m2 = m2 * (1 / Double(n - 1))
        #expect((mean - p).norm < 0.01)
        for i in 0..<3 { for j in 0..<3 {
            let tol = 0.02 * (cov[i, i] * cov[j, j]).squareRoot()
            #expect(abs(m2[i, j] - cov[i, j]) < tol, "Σ[\(i),\(j)]: Monte Carlo \(m2[i, j]) vs formula \(cov[i, j])")
        } }
    }

    @Test func depthVarianceFromDisparity() {
        let cam = StereoCamera(fx: 700, fy: 700, cx: 600, cy: 180, baseline: 0.5, width: 1226, height: 370)
        // σ_z = (f b / δ²) σ_δ: δ = 35 px (z = 10 m), σ_δ = 0.5 px → σ_z = 350/1225 · 0.5.
        let sz = cam.depthVariance(disparity: 35, variance: 0.25)
        #expect(abs(sz.squareRoot() - 350.0 / 1225 * 0.5) < 1e-12)
    }
}
