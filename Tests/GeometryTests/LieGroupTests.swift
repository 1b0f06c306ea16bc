import Foundation
import Geometry
import TestSupport
import Testing

func randomVec3(_ g: inout SplitMix, scale: Double = 1) -> Vec3 {
    Vec3(Double.random(in: -1...1, using: &g), Double.random(in: -1...1, using: &g), Double.random(in: -1...1, using: &g)) * scale
}

func maxAbs(_ a: Mat3, _ b: Mat3) -> Double { (a - b).elements.map(abs).max() ?? 0 }
func maxAbs(_ a: Mat6, _ b: Mat6) -> Double { (a - b).elements.map(abs).max() ?? 0 }

/// Central finite-difference Jacobian of a map R^n → R^m.
func numericJacobian(n: Int, m: Int, h: Double = 1e-6, _ f: ([Double]) -> [Double]) -> [[Double]] {
    var jac = Array(repeating: Array(repeating: 0.0, count: n), count: m)
    for j in 0..<n {
        var xp = Array(repeating: 0.0, count: n), xm = xp
        xp[j] = h; xm[j] = -h
        let fp = f(xp), fm = f(xm)
        for i in 0..<m { jac[i][j] = (fp[i] - fm[i]) / (2 * h) }
    }
    return jac
}

@Suite struct SO3Tests {
    @Test func expLogRoundTripAcrossAngles() {
        var g = SplitMix(state: 1)
        for angle in [0.0, 1e-12, 1e-8, 1e-5, 1e-3, 0.1, 1, 2, 3, .pi - 1e-3, .pi - 1e-6, .pi - 1e-9] {
            for _ in 0..<20 {
                var axis = randomVec3(&g)
                axis /= axis.norm
                let phi = axis * angle
                let back = SO3.exp(phi).log
                #expect((back - phi).norm < 1e-9, "angle \(angle): \(phi) -> \(back)")
            }
        }
    }

    @Test func logAtExactlyPiIsAHalfTurn() {
        let r = SO3(uncheckedMatrix: Mat3(diagonal: Vec3(1, -1, -1)))
        let phi = r.log
        #expect(abs(phi.norm - .pi) < 1e-12)
        #expect(abs(abs(phi.x) - .pi) < 1e-12)
        #expect(maxAbs(SO3.exp(phi).matrix, r.matrix) < 1e-12)
    }

    @Test func expIsOrthonormal() {
        var g = SplitMix(state: 2)
        for _ in 0..<50 {
            let r = SO3.exp(randomVec3(&g, scale: 3)).matrix
            #expect(maxAbs(r.transposed * r, .identity) < 1e-12)
            #expect(abs(r.determinant - 1) < 1e-12)
        }
    }

    @Test func leftAndRightJacobiansMatchFiniteDifferences() {
        var g = SplitMix(state: 3)
        for scale in [1e-7, 1e-3, 0.05, 0.5, 2.5] {
            let phi = randomVec3(&g, scale: scale)
            let r = SO3.exp(phi)
            // exp(φ + δ) = exp(J_l δ) exp(φ)  ⇒  J_l = ∂ log(exp(φ+δ) exp(φ)⁻¹) / ∂δ
            let jlNum = numericJacobian(n: 3, m: 3) { d in
                let v = (SO3.exp(phi + Vec3(d[0], d[1], d[2])) * r.inverse).log
                return [v.x, v.y, v.z]
            }
            let jrNum = numericJacobian(n: 3, m: 3) { d in
                let v = (r.inverse * SO3.exp(phi + Vec3(d[0], d[1], d[2]))).log
                return [v.x, v.y, v.z]
            }
            let jl = SO3.leftJacobian(phi), jr = SO3.rightJacobian(phi)
            for i in 0..<3 { for j in 0..<3 {
                #expect(abs(jl[i, j] - jlNum[i][j]) < 1e-7, "J_l at scale \(scale)")
                #expect(abs(jr[i, j] - jrNum[i][j]) < 1e-7, "J_r at scale \(scale)")
            } }
            #expect(maxAbs(SO3.leftJacobianInverse(phi) * jl, .identity) < 1e-10)
            #expect(maxAbs(SO3.rightJacobianInverse(phi) * jr, .identity) < 1e-10)
        }
    }

    @Test func quaternionRoundTrip() {
        var g = SplitMix(state: 4)
        for _ in 0..<100 {
            let r = SO3.exp(randomVec3(&g, scale: 3.1))
            let q = r.quaternion
            #expect(abs(q.norm - 1) < 1e-12)
            #expect(q.w >= 0)
            #expect(maxAbs(SO3(q).matrix, r.matrix) < 1e-12)
        }
        // A quarter turn about z: q = (cos 45°, 0, 0, sin 45°).
        let q = SO3.exp(Vec3(0, 0, .pi / 2)).quaternion
        #expect(abs(q.w - 0.5.squareRoot()) < 1e-12 && abs(q.z - 0.5.squareRoot()) < 1e-12)
    }

    @Test func rejectsNonRotations() {
        #expect(SO3(matrix: Mat3(diagonal: Vec3(1, 1, -1))) == nil)
        #expect(SO3(matrix: Mat3(diagonal: Vec3(1, 1, 1.1))) == nil)
        #expect(SO3(matrix: Mat3(diagonal: Vec3(1, .nan, 1))) == nil)
        #expect(SO3(matrix: Mat3(diagonal: Vec3(1, 1, 1 + 1e-9))) != nil)
    }
}

@Suite struct SE3Tests {
    @Test func expLogRoundTrip() {
        var g = SplitMix(state: 5)
        for scale in [0.0, 1e-9, 1e-4, 0.1, 1, 3] {
            for _ in 0..<20 {
                var phi = randomVec3(&g, scale: scale)
                if phi.norm > 3.1 { phi *= 3.1 / phi.norm }
                let xi = Vec6(randomVec3(&g, scale: 5), phi)
                #expect((SE3.exp(xi).log - xi).norm < 1e-9)
            }
        }
    }

    @Test func compositionInverseAndAction() {
        var g = SplitMix(state: 6)
        let a = SE3.exp(Vec6(randomVec3(&g), randomVec3(&g))), b = SE3.exp(Vec6(randomVec3(&g), randomVec3(&g)))
        let p = randomVec3(&g, scale: 10)
        #expect(((a * b) * p - a * (b * p)).norm < 1e-12)
        #expect(((a * a.inverse).log).norm < 1e-12)
        #expect((a.inverse * (a * p) - p).norm < 1e-12)
    }

    @Test func adjointConjugatesTangents() {
        var g = SplitMix(state: 7)
        let t = SE3.exp(Vec6(randomVec3(&g, scale: 3), randomVec3(&g)))
        let xi = Vec6(randomVec3(&g, scale: 0.3), randomVec3(&g, scale: 0.3))
        let lhs = (t * SE3.exp(xi) * t.inverse).log
        #expect((lhs - t.adjoint * xi).norm < 1e-10)
    }

    @Test func jacobiansMatchFiniteDifferences() {
        var g = SplitMix(state: 8)
        for scale in [1e-8, 1e-3, 0.08, 0.12, 0.7, 2.0] {
            let xi = Vec6(randomVec3(&g, scale: 2), randomVec3(&g, scale: scale))
            let t = SE3.exp(xi)
            let jlNum = numericJacobian(n: 6, m: 6) { d in (SE3.exp(xi + Vec6(d)) * t.inverse).log.elements }
            let jrNum = numericJacobian(n: 6, m: 6) { d in (t.inverse * SE3.exp(xi + Vec6(d))).log.elements }
            let jl = SE3.leftJacobian(xi), jr = SE3.rightJacobian(xi)
            for i in 0..<6 { for j in 0..<6 {
                #expect(abs(jl[i, j] - jlNum[i][j]) < 1e-6, "SE3 J_l[\(i),\(j)] at rotation scale \(scale)")
                #expect(abs(jr[i, j] - jrNum[i][j]) < 1e-6, "SE3 J_r[\(i),\(j)] at rotation scale \(scale)")
            } }
            #expect(maxAbs(SE3.leftJacobianInverse(xi) * jl, .identity) < 1e-9)
            #expect(maxAbs(SE3.rightJacobianInverse(xi) * jr, .identity) < 1e-9)
        }
    }

    @Test func mat6InverseAndSim3() throws {
        var g = SplitMix(state: 9)
        let t = SE3.exp(Vec6(randomVec3(&g), randomVec3(&g)))
        let inv = try #require(t.adjoint.inverse)
        #expect(maxAbs(inv, t.inverse.adjoint) < 1e-12)
        #expect(Mat6.zero.inverse == nil)
        let s = Sim3(rotation: t.rotation, translation: t.translation, scale: 2.5)
        let p = randomVec3(&g)
        #expect((s.inverse * (s * p) - p).norm < 1e-12)
        #expect(((s * s.inverse) * p - p).norm < 1e-12)
    }
}
