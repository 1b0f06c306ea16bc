import Geometry
import TestSupport
import Testing

@Suite struct MinimalSampleAlignmentTests {
    /// RANSAC aligns three points at a time: their covariance has rank 2 and the third singular
    /// vector is rounding noise. The rotation must still be orthonormal to machine precision.
    @Test func threePointSamplesGiveOrthonormalRotations() throws {
        var rng = SplitMix64(state: 99)
        func u() -> Double { Double(rng.next() >> 11) * 0x1p-53 * 2 - 1 }
        var worst = 0.0
        for _ in 0..<2000 {
            let truth = SE3(rotation: SO3.exp(Vec3(u(), u(), u()) * 0.3), translation: Vec3(u(), u(), u()))
            let x = (0..<3).map { _ in Vec3(u() * 10, u() * 2, 5 + 20 * abs(u())) }
            let y = x.map { truth * $0 + Vec3(u(), u(), u()) * 1e-3 }
            let r = try umeyamaAlignment(x, y, withScale: false).rotation.matrix
            let e = r.transposed * r - .identity
            for row in [e.r0, e.r1, e.r2] { worst = max(worst, abs(row.x), abs(row.y), abs(row.z)) }
            #expect(abs(r.determinant - 1) < 1e-12)
        }
        #expect(worst < 1e-12, "worst |RᵀR − I| = \(worst)")
    }
}
