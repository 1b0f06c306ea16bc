import Foundation

/// A rigid-body transform in 3D (the Lie group SE(3)): `p ↦ R p + t`.
///
/// Tangent vectors are `Vec6(ρ, φ)`, translation first. A pose `T_wc` maps camera coordinates
/// into world coordinates. Jacobians: `exp(ξ + δ) ≈ exp(J_l(ξ) δ) exp(ξ) ≈ exp(ξ) exp(J_r(ξ) δ)`.
public struct SE3: Equatable, Sendable, CustomStringConvertible {
    public var rotation: SO3
    public var translation: Vec3

    @inlinable public init(rotation: SO3 = .identity, translation: Vec3 = .zero) {
        self.rotation = rotation; self.translation = translation
    }

    public static let identity = SE3()

    /// The same pose with its rotation projected back onto SO(3). Long chains of compositions
    /// (odometry, constant-velocity prediction) call this so rounding cannot accumulate.
    public var orthonormalized: SE3 { SE3(rotation: rotation.orthonormalized, translation: translation) }

    /// The 3×4 row-major matrix `[R | t]` (as in KITTI pose files).
    public var matrix3x4: [Double] {
        let r = rotation.matrix, t = translation
        return [r[0, 0], r[0, 1], r[0, 2], t.x, r[1, 0], r[1, 1], r[1, 2], t.y, r[2, 0], r[2, 1], r[2, 2], t.z]
    }

    @inlinable public static func * (a: SE3, b: SE3) -> SE3 {
        SE3(rotation: a.rotation * b.rotation, translation: a.rotation * b.translation + a.translation)
    }
    @inlinable public static func * (a: SE3, p: Vec3) -> Vec3 { a.rotation * p + a.translation }
    @inlinable public var inverse: SE3 {
        let ri = rotation.inverse
        return SE3(rotation: ri, translation: -(ri * translation))
    }

    /// The 6×6 adjoint: `T exp(ξ) T⁻¹ = exp(Ad_T ξ)`. With ξ = (ρ, φ): `[R  [t]×R; 0  R]`.
    public var adjoint: Mat6 {
        let r = rotation.matrix
        return Mat6(blocks: r, Mat3.skew(translation) * r, .zero, r)
    }

    /// Exponential map.
    public static func exp(_ xi: Vec6) -> SE3 {
        SE3(rotation: SO3.exp(xi.tail), translation: SO3.leftJacobian(xi.tail) * xi.head)
    }

    /// Logarithm map.
    public var log: Vec6 {
        let phi = rotation.log
        return Vec6(SO3.leftJacobianInverse(phi) * translation, phi)
    }

    /// Left Jacobian of SE(3), `[J_l(φ)  Q(ρ, φ); 0  J_l(φ)]` (Barfoot, eq. 7.86).
    public static func leftJacobian(_ xi: Vec6) -> Mat6 {
        let jl = SO3.leftJacobian(xi.tail)
        return Mat6(blocks: jl, qMatrix(rho: xi.head, phi: xi.tail), .zero, jl)
    }

    /// Right Jacobian of SE(3): J_r(ξ) = J_l(−ξ).
    public static func rightJacobian(_ xi: Vec6) -> Mat6 { leftJacobian(-xi) }

    /// Inverse of the left Jacobian: `[J⁻¹  −J⁻¹ Q J⁻¹; 0  J⁻¹]`.
    public static func leftJacobianInverse(_ xi: Vec6) -> Mat6 {
        let ji = SO3.leftJacobianInverse(xi.tail)
        let q = qMatrix(rho: xi.head, phi: xi.tail)
        return Mat6(blocks: ji, -(ji * q * ji), .zero, ji)
    }

    /// Inverse of the right Jacobian.
    public static func rightJacobianInverse(_ xi: Vec6) -> Mat6 { leftJacobianInverse(-xi) }

    /// Barfoot's Q(ρ, φ), the off-diagonal block of the SE(3) left Jacobian.
    static func qMatrix(rho: Vec3, phi: Vec3) -> Mat3 {
        let t2 = phi.squaredNorm
        let (a, b, c): (Double, Double, Double)
        if t2 < 1e-2 {
            // Series of the three coefficients below, accurate to O(θ⁶).
            a = 1.0 / 6 - t2 / 120 + t2 * t2 / 5040
            b = 1.0 / 24 - t2 / 720 + t2 * t2 / 40320
            c = 1.0 / 120 - t2 / 2520 + t2 * t2 / 120960
        } else {
            let t = t2.squareRoot(), s = sin(t), co = cos(t)
            a = (t - s) / (t2 * t)
            b = (t2 / 2 + co - 1) / (t2 * t2)
            c = (2 * t - 3 * s + t * co) / (2 * t2 * t2 * t)
        }
        let p = Mat3.skew(phi), r = Mat3.skew(rho)
        let pr = p * r, rp = r * p, prp = pr * p
        return r * 0.5 + (pr + rp + prp) * a + (p * pr + rp * p - prp * 3) * b + (prp * p + p * prp) * c
    }

    public var description: String { "SE3(t: \(translation), r: \(rotation.log))" }
}

/// A similarity transform in 3D: `p ↦ s R p + t`.
public struct Sim3: Equatable, Sendable, CustomStringConvertible {
    public var rotation: SO3
    public var translation: Vec3
    public var scale: Double

    @inlinable public init(rotation: SO3 = .identity, translation: Vec3 = .zero, scale: Double = 1) {
        self.rotation = rotation; self.translation = translation; self.scale = scale
    }
    /// The similarity of a rigid transform (scale 1).
    public init(_ t: SE3) { self.init(rotation: t.rotation, translation: t.translation, scale: 1) }

    public static let identity = Sim3()

    @inlinable public static func * (a: Sim3, b: Sim3) -> Sim3 {
        Sim3(rotation: a.rotation * b.rotation,
             translation: a.scale * (a.rotation * b.translation) + a.translation,
             scale: a.scale * b.scale)
    }
    @inlinable public static func * (a: Sim3, p: Vec3) -> Vec3 { a.scale * (a.rotation * p) + a.translation }
    public var inverse: Sim3 {
        let ri = rotation.inverse
        return Sim3(rotation: ri, translation: -(ri * translation) / scale, scale: 1 / scale)
    }
    /// Applies the similarity to a pose: rotation composed, position mapped (as evo's `align` does).
    public func apply(to pose: SE3) -> SE3 {
        SE3(rotation: rotation * pose.rotation, translation: self * pose.translation)
    }

    public var description: String { "Sim3(s: \(scale), t: \(translation), r: \(rotation.log))" }
}
