import Geometry
import PoseGraph
import Testing
import TestSupport

/// Central finite differences of the between residual, perturbing one pose on the right.
private func numericJacobian<P: ManifoldPose>(_ z: P, _ ti: P, _ tj: P, wrtJ: Bool) -> [Double] {
    let d = P.dof, h = 1e-6
    var jac = [Double](repeating: 0, count: d * d)
    for c in 0..<d {
        var plus = [Double](repeating: 0, count: d), minus = plus
        plus[c] = h; minus[c] = -h
        var rp = [Double](repeating: 0, count: d), rm = rp
        let (ip, im) = wrtJ ? (ti, ti) : (plus.withUnsafeBufferPointer { ti.retract($0.baseAddress!) },
                                          minus.withUnsafeBufferPointer { ti.retract($0.baseAddress!) })
        let (jp, jm) = wrtJ ? (plus.withUnsafeBufferPointer { tj.retract($0.baseAddress!) },
                               minus.withUnsafeBufferPointer { tj.retract($0.baseAddress!) }) : (tj, tj)
        rp.withUnsafeMutableBufferPointer { P.betweenResidual(measured: z, ip, jp, residual: $0.baseAddress!, jacobianI: nil, jacobianJ: nil) }
        rm.withUnsafeMutableBufferPointer { P.betweenResidual(measured: z, im, jm, residual: $0.baseAddress!, jacobianI: nil, jacobianJ: nil) }
        for r in 0..<d { jac[r * d + c] = (rp[r] - rm[r]) / (2 * h) }
    }
    return jac
}

private func analyticJacobians<P: ManifoldPose>(_ z: P, _ ti: P, _ tj: P) -> ([Double], [Double]) {
    let d = P.dof
    var r = [Double](repeating: 0, count: d), ji = [Double](repeating: 0, count: d * d), jj = ji
    r.withUnsafeMutableBufferPointer { rb in ji.withUnsafeMutableBufferPointer { ib in jj.withUnsafeMutableBufferPointer { jb in
        P.betweenResidual(measured: z, ti, tj, residual: rb.baseAddress!, jacobianI: ib.baseAddress!, jacobianJ: jb.baseAddress!)
    } } }
    return (ji, jj)
}

@Suite struct JacobianTests {
    @Test func se3JacobiansMatchFiniteDifferences() {
        var rng = SplitMix(state: 7)
        for trial in 0..<20 {
            let ti = rng.se3(), tj = rng.se3()
            // Residuals from small to large (up to ~2 rad) rotation errors.
            let noise = SE3.exp(rng.vec6(0.5, rotation: trial < 10 ? 0.05 : 1.0))
            let z = (ti.inverse * tj) * noise
            let (ji, jj) = analyticJacobians(z, ti, tj)
            let ni = numericJacobian(z, ti, tj, wrtJ: false), nj = numericJacobian(z, ti, tj, wrtJ: true)
            for k in 0..<36 {
                #expect(abs(ji[k] - ni[k]) < 1e-6, "trial \(trial) Ji[\(k)]: \(ji[k]) vs \(ni[k])")
                #expect(abs(jj[k] - nj[k]) < 1e-6, "trial \(trial) Jj[\(k)]: \(jj[k]) vs \(nj[k])")
            }
        }
    }

    @Test func se2JacobiansMatchFiniteDifferences() {
        var rng = SplitMix(state: 11)
        for trial in 0..<20 {
            let ti = rng.se2(), tj = rng.se2()
            let z = (ti.inverse * tj) * SE2(x: rng.uniform(-0.5, 0.5), y: rng.uniform(-0.5, 0.5), theta: rng.uniform(-1, 1))
            let (ji, jj) = analyticJacobians(z, ti, tj)
            let ni = numericJacobian(z, ti, tj, wrtJ: false), nj = numericJacobian(z, ti, tj, wrtJ: true)
            for k in 0..<9 {
                #expect(abs(ji[k] - ni[k]) < 1e-6, "trial \(trial) Ji[\(k)]: \(ji[k]) vs \(ni[k])")
                #expect(abs(jj[k] - nj[k]) < 1e-6, "trial \(trial) Jj[\(k)]: \(jj[k]) vs \(nj[k])")
            }
        }
    }

    /// A known answer built without the residual's own formula: with Tj = Ti · Z · Exp(ξ) the
    /// measurement is off by exactly ξ, so the residual must be ξ (for |φ| < π, where Log
    /// inverts Exp).
    @Test func residualRecoversAKnownError() {
        var rng = SplitMix(state: 3)
        for trial in 0..<20 {
            let ti = rng.se3(), z = rng.se3()
            let xi = Vec6(Vec3(Double.random(in: -2...2, using: &rng), Double.random(in: -2...2, using: &rng), Double.random(in: -2...2, using: &rng)),
                          Vec3(Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng)))
            let tj = ti * z * SE3.exp(xi)
            var r = [Double](repeating: 0, count: 6)
            r.withUnsafeMutableBufferPointer { SE3.betweenResidual(measured: z, ti, tj, residual: $0.baseAddress!, jacobianI: nil, jacobianJ: nil) }
            for k in 0..<6 { #expect(abs(r[k] - xi[k]) < 1e-9, "trial \(trial) component \(k): \(r[k]) vs \(xi[k])") }
        }
    }

    @Test func nearestRotationProjection() {
        var rng = SplitMix(state: 5)
        for _ in 0..<10 {
            let rot = rng.se3().rotation
            // A rotation is its own projection; a scaled, slightly perturbed one projects back near it.
            let exact = SE3(projectingRotation: rot.matrix.elements, translation: [0, 0, 0]).rotation
            #expect((exact.inverse * rot).angle < 1e-9)
            let noisy = rot.matrix.elements.map { 3 * $0 + rng.uniform(-1e-4, 1e-4) }
            let projected = SE3(projectingRotation: noisy, translation: [0, 0, 0]).rotation
            #expect((projected.inverse * rot).angle < 1e-4)
            #expect(abs(projected.matrix.determinant - 1) < 1e-9)
        }
        // A reflection (det < 0) still yields a proper rotation.
        let reflected = SE3(projectingRotation: [1, 0, 0, 0, 1, 0, 0, 0, -1], translation: [0, 0, 0]).rotation
        #expect(abs(reflected.matrix.determinant - 1) < 1e-9)
    }
}
