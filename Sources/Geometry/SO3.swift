import Foundation

/// A rotation in 3D (the Lie group SO(3)), stored as an orthonormal matrix.
///
/// Tangent vectors φ are rotation vectors (axis × angle, radians). `exp`/`log` are robust
/// from the identity to angles of π. Jacobians follow Barfoot, "State Estimation for Robotics":
/// `exp(φ + δ) ≈ exp(J_l(φ) δ) exp(φ) ≈ exp(φ) exp(J_r(φ) δ)`.
public struct SO3: Equatable, Sendable, CustomStringConvertible {
    /// The rotation matrix.
    public let matrix: Mat3

    /// Wraps a matrix that the caller guarantees to be a rotation.
    @inlinable public init(uncheckedMatrix m: Mat3) { matrix = m }

    /// Creates a rotation from a matrix; `nil` when the matrix is not finite, has a
    /// non-positive determinant, or is further than `tolerance` (Frobenius norm of `RᵀR − I`)
    /// from a rotation. The matrix is kept as given (files print rotations to ~6 digits and
    /// evaluation must use exactly what the file says); use `orthonormalized` to project it.
    public init?(matrix m: Mat3, tolerance: Double = 1e-6) {
        guard m.isFinite, m.determinant > 0,
              (m.transposed * m - .identity).frobeniusNorm <= tolerance else { return nil }
        matrix = m
    }

    /// The nearest exactly orthonormal rotation.
    public var orthonormalized: SO3 { SO3(uncheckedMatrix: matrix.orthonormalized ?? matrix) }

    /// The rotation of a unit quaternion.
    @inlinable public init(_ q: Quaternion) { matrix = q.matrix }

    public static let identity = SO3(uncheckedMatrix: .identity)

    /// The unit quaternion of this rotation (w ≥ 0).
    public var quaternion: Quaternion { Quaternion(rotation: matrix) }

    @inlinable public static func * (a: SO3, b: SO3) -> SO3 { SO3(uncheckedMatrix: a.matrix * b.matrix) }
    @inlinable public static func * (a: SO3, p: Vec3) -> Vec3 { a.matrix * p }
    @inlinable public var inverse: SO3 { SO3(uncheckedMatrix: matrix.transposed) }
    /// The adjoint of SO(3) is the rotation matrix itself.
    @inlinable public var adjoint: Mat3 { matrix }

    /// Exponential map (Rodrigues' formula).
    public static func exp(_ phi: Vec3) -> SO3 {
        let t2 = phi.squaredNorm
        let k = Mat3.skew(phi)
        if t2 < 1e-10 {
            return SO3(uncheckedMatrix: .identity + k + k * k * 0.5)
        }
        let t = t2.squareRoot()
        let a = sin(t) / t, b = (1 - cos(t)) / t2
        return SO3(uncheckedMatrix: .identity + k * a + k * k * b)
    }

    /// Logarithm map: the rotation vector with angle in [0, π]. Computed via the unit quaternion,
    /// which stays accurate both near the identity and near π.
    public var log: Vec3 {
        let q = quaternion
        let v = q.vector
        let n = v.norm
        if n < 1e-10 {
            // 2·atan2(n, w)/n ≈ 2/w · (1 − n²/(3w²))
            return v * (2 / q.w * (1 - n * n / (3 * q.w * q.w)))
        }
        return v * (2 * atan2(n, q.w) / n)
    }

    /// Rotation angle in radians, in [0, π].
    public var angle: Double { log.norm }

    /// Left Jacobian J_l(φ).
    public static func leftJacobian(_ phi: Vec3) -> Mat3 {
        let t2 = phi.squaredNorm
        let k = Mat3.skew(phi)
        let (a, b): (Double, Double)
        if t2 < 1e-4 {
            a = 0.5 - t2 / 24 + t2 * t2 / 720
            b = 1.0 / 6 - t2 / 120 + t2 * t2 / 5040
        } else {
            let t = t2.squareRoot()
            a = (1 - cos(t)) / t2
            b = (t - sin(t)) / (t2 * t)
        }
        return .identity + k * a + k * k * b
    }

    /// Inverse of the left Jacobian, J_l(φ)⁻¹.
    public static func leftJacobianInverse(_ phi: Vec3) -> Mat3 {
        let t2 = phi.squaredNorm
        let k = Mat3.skew(phi)
        let c: Double
        if t2 < 1e-4 {
            c = 1.0 / 12 + t2 / 720 + t2 * t2 / 30240
        } else {
            let t = t2.squareRoot()
            c = 1 / t2 - (1 + cos(t)) / (2 * t * sin(t))
        }
        return .identity - k * 0.5 + k * k * c
    }

    /// Right Jacobian J_r(φ) = J_l(−φ).
    public static func rightJacobian(_ phi: Vec3) -> Mat3 { leftJacobian(-phi) }
    /// Inverse of the right Jacobian.
    public static func rightJacobianInverse(_ phi: Vec3) -> Mat3 { leftJacobianInverse(-phi) }

    public var description: String { "SO3(\(log))" }
}
