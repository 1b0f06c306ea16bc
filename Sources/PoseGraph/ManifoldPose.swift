import Foundation
import Geometry

/// A pose variable of a pose graph: a Lie group element with a right-perturbation retraction
/// and the residual of a relative-pose measurement with its analytic Jacobians.
///
/// `SE3` (6 degrees of freedom, tangent order ρ then φ) and `SE2` (3, order x, y, θ) conform.
public protocol ManifoldPose: Sendable, Equatable {
    /// Degrees of freedom (size of the tangent space).
    static var dof: Int { get }
    /// 2 for planar poses, 3 for spatial poses.
    static var rotationDimension: Int { get }
    static var identity: Self { get }
    var inverse: Self { get }
    static func * (a: Self, b: Self) -> Self
    /// `self ⊕ δ` (right perturbation) with `δ` of length `dof`.
    func retract(_ delta: UnsafePointer<Double>) -> Self
    /// Writes the residual of measurement `z` between `ti` and `tj` (length `dof`) and, when the
    /// pointers are given, the Jacobians with respect to right perturbations of `ti` and `tj`
    /// (row-major `dof × dof`).
    static func betweenResidual(measured z: Self, _ ti: Self, _ tj: Self,
                                residual: UnsafeMutablePointer<Double>,
                                jacobianI: UnsafeMutablePointer<Double>?,
                                jacobianJ: UnsafeMutablePointer<Double>?)
    /// g2o's own error vector of the same measurement (EdgeSE3: translation and the vector part
    /// of the unit quaternion, w ≥ 0, of `Z⁻¹ Tiᵀ Tj`; EdgeSE2: translation and wrapped angle).
    static func g2oError(measured z: Self, _ ti: Self, _ tj: Self) -> [Double]
    /// The rotation as a row-major `rotationDimension²` matrix.
    var rotationElements: [Double] { get }
    /// The translation (length `rotationDimension`).
    var translationElements: [Double] { get }
    /// A pose from an arbitrary square matrix, projected to the nearest rotation, and a translation.
    init(projectingRotation: [Double], translation: [Double])
}

// MARK: - SE(3)

extension SE3: ManifoldPose {
    public static var dof: Int { 6 }
    public static var rotationDimension: Int { 3 }

    public func retract(_ delta: UnsafePointer<Double>) -> SE3 {
        self * SE3.exp(Vec6(Vec3(delta[0], delta[1], delta[2]), Vec3(delta[3], delta[4], delta[5])))
    }

    /// Residual `r = Log(Z⁻¹ Ti⁻¹ Tj)` (METHOD.md §6); `∂r/∂δj = J_r⁻¹(r)`,
    /// `∂r/∂δi = −J_r⁻¹(r) Ad(Tj⁻¹ Ti)`.
    public static func betweenResidual(measured z: SE3, _ ti: SE3, _ tj: SE3,
                                       residual: UnsafeMutablePointer<Double>,
                                       jacobianI: UnsafeMutablePointer<Double>?,
                                       jacobianJ: UnsafeMutablePointer<Double>?) {
        let tiInv = ti.inverse
        let e = z.inverse * (tiInv * tj)
        let r = e.log
        for k in 0..<3 { residual[k] = r.head[k]; residual[k + 3] = r.tail[k] }
        guard jacobianI != nil || jacobianJ != nil else { return }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 36) { scratch in
            let jr = jacobianJ ?? scratch.baseAddress!
            copy(SE3.rightJacobianInverse(r), to: jr, sign: 1)
            guard let ji = jacobianI else { return }
            // J_r⁻¹ = [A B; 0 A], Ad(Tj⁻¹Ti) = [R [t]×R; 0 R]: the product is [AR  A[t]×R + BR; 0  AR].
            let rel = tj.inverse * ti
            let rm = rel.rotation.matrix
            let a = Mat3(rows: Vec3(jr[0], jr[1], jr[2]), Vec3(jr[6], jr[7], jr[8]), Vec3(jr[12], jr[13], jr[14]))
            let b = Mat3(rows: Vec3(jr[3], jr[4], jr[5]), Vec3(jr[9], jr[10], jr[11]), Vec3(jr[15], jr[16], jr[17]))
            let ar = a * rm, top = a * (Mat3.skew(rel.translation) * rm) + b * rm
            for row in 0..<3 {
                for col in 0..<3 {
                    ji[row * 6 + col] = -ar[row, col]
                    ji[row * 6 + col + 3] = -top[row, col]
                    ji[(row + 3) * 6 + col] = 0
                    ji[(row + 3) * 6 + col + 3] = -ar[row, col]
                }
            }
        }
    }

    public static func g2oError(measured z: SE3, _ ti: SE3, _ tj: SE3) -> [Double] {
        let e = z.inverse * (ti.inverse * tj)
        let q = e.rotation.quaternion   // w ≥ 0
        return [e.translation.x, e.translation.y, e.translation.z, q.x, q.y, q.z]
    }

    public var rotationElements: [Double] { rotation.matrix.elements }
    public var translationElements: [Double] { [translation.x, translation.y, translation.z] }

    public init(projectingRotation m: [Double], translation t: [Double]) {
        self.init(rotation: SO3(uncheckedMatrix: nearestRotation(Mat3(m))),
                  translation: Vec3(t[0], t[1], t[2]))
    }
}

/// Copies a 6×6 matrix's row-major elements, times `sign`, without per-element copies of the matrix.
@inline(__always) private func copy(_ m: Mat6, to out: UnsafeMutablePointer<Double>, sign: Double) {
    withUnsafeBytes(of: m.e) { raw in
        let p = raw.baseAddress!.assumingMemoryBound(to: Double.self)
        for k in 0..<36 { out[k] = sign * p[k] }
    }
}

/// The rotation nearest to `m` in the Frobenius norm (Horn's quaternion method: the eigenvector
/// of the largest eigenvalue of a symmetric 4×4 matrix, by Jacobi sweeps). Handles det(m) ≤ 0.
func nearestRotation(_ m: Mat3) -> Mat3 {
    let (sxx, sxy, sxz) = (m[0, 0], m[1, 0], m[2, 0])
    let (syx, syy, syz) = (m[0, 1], m[1, 1], m[2, 1])
    let (szx, szy, szz) = (m[0, 2], m[1, 2], m[2, 2])
    // Horn (1987): maximise tr(Rᵀ M) with R = R(q); here M's entries play the role of Σ bᵢ aᵢᵀ.
    var k: [Double] = [
        sxx + syy + szz, syz - szy, szx - sxz, sxy - syx,
        syz - szy, sxx - syy - szz, sxy + syx, szx + sxz,
        szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy,
        sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz,
    ]
    var v: [Double] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    for _ in 0..<30 {
        var off = 0.0
        for p in 0..<4 { for q in (p + 1)..<4 { off += k[p * 4 + q] * k[p * 4 + q] } }
        if off < 1e-30 { break }
        for p in 0..<4 {
            for q in (p + 1)..<4 where abs(k[p * 4 + q]) > 1e-300 {
                let theta = (k[q * 4 + q] - k[p * 4 + p]) / (2 * k[p * 4 + q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for r in 0..<4 {
                    let a = k[r * 4 + p], b = k[r * 4 + q]
                    k[r * 4 + p] = c * a - s * b; k[r * 4 + q] = s * a + c * b
                }
                for r in 0..<4 {
                    let a = k[p * 4 + r], b = k[q * 4 + r]
                    k[p * 4 + r] = c * a - s * b; k[q * 4 + r] = s * a + c * b
                }
                for r in 0..<4 {
                    let a = v[r * 4 + p], b = v[r * 4 + q]
                    v[r * 4 + p] = c * a - s * b; v[r * 4 + q] = s * a + c * b
                }
            }
        }
    }
    var best = 0
    for i in 1..<4 where k[i * 4 + i] > k[best * 4 + best] { best = i }
    let q = Quaternion(normalizing: v[best], v[4 + best], v[8 + best], v[12 + best]) ?? .identity
    return q.matrix
}

// MARK: - SE(2)

/// A rigid-body transform in the plane: `p ↦ R(θ) p + t`. Tangent order (x, y, θ).
/// The retraction is g2o's and GTSAM's default: `T ⊕ δ = T · SE2(δx, δy, δθ)`.
public struct SE2: ManifoldPose, CustomStringConvertible {
    public var x, y, theta: Double

    /// Creates a pose; `theta` is wrapped to (−π, π].
    public init(x: Double, y: Double, theta: Double) {
        self.x = x; self.y = y; self.theta = wrapAngle(theta)
    }

    public static var dof: Int { 3 }
    public static var rotationDimension: Int { 2 }
    public static let identity = SE2(x: 0, y: 0, theta: 0)

    public static func * (a: SE2, b: SE2) -> SE2 {
        let c = cos(a.theta), s = sin(a.theta)
        return SE2(x: a.x + c * b.x - s * b.y, y: a.y + s * b.x + c * b.y, theta: a.theta + b.theta)
    }
    public var inverse: SE2 {
        let c = cos(theta), s = sin(theta)
        return SE2(x: -(c * x + s * y), y: -(-s * x + c * y), theta: -theta)
    }
    public func retract(_ d: UnsafePointer<Double>) -> SE2 { self * SE2(x: d[0], y: d[1], theta: d[2]) }

    /// Residual `r = (Z⁻¹ Ti⁻¹ Tj)` as (x, y, wrapped θ), exactly g2o's EdgeSE2 error.
    public static func betweenResidual(measured z: SE2, _ ti: SE2, _ tj: SE2,
                                       residual: UnsafeMutablePointer<Double>,
                                       jacobianI: UnsafeMutablePointer<Double>?,
                                       jacobianJ: UnsafeMutablePointer<Double>?) {
        let ci = cos(ti.theta), si = sin(ti.theta), cz = cos(z.theta), sz = sin(z.theta)
        let dx = tj.x - ti.x, dy = tj.y - ti.y
        let dtx = ci * dx + si * dy, dty = -si * dx + ci * dy      // D_t = Riᵀ (tj − ti)
        let ux = dtx - z.x, uy = dty - z.y
        residual[0] = cz * ux + sz * uy                               // Rzᵀ (D_t − z_t)
        residual[1] = -sz * ux + cz * uy
        residual[2] = wrapAngle(tj.theta - ti.theta - z.theta)
        if let ji = jacobianI {
            // ∂/∂δt_i = −Rzᵀ; ∂/∂δθ_i = −Rzᵀ S D_t with S D_t = (−D_ty, D_tx); ∂θ/∂δθ_i = −1.
            ji[0] = -cz; ji[1] = -sz; ji[2] = -(cz * -dty + sz * dtx)
            ji[3] = sz; ji[4] = -cz; ji[5] = -(-sz * -dty + cz * dtx)
            ji[6] = 0; ji[7] = 0; ji[8] = -1
        }
        if let jj = jacobianJ {
            // ∂/∂δt_j = Rzᵀ Riᵀ Rj = R(θj − θi − θz); ∂θ/∂δθ_j = 1.
            let a = tj.theta - ti.theta - z.theta, c = cos(a), s = sin(a)
            jj[0] = c; jj[1] = -s; jj[2] = 0
            jj[3] = s; jj[4] = c; jj[5] = 0
            jj[6] = 0; jj[7] = 0; jj[8] = 1
        }
    }

    public static func g2oError(measured z: SE2, _ ti: SE2, _ tj: SE2) -> [Double] {
        let e = z.inverse * (ti.inverse * tj)
        return [e.x, e.y, e.theta]
    }

    public var rotationElements: [Double] {
        let c = cos(theta), s = sin(theta)
        return [c, -s, s, c]
    }
    public var translationElements: [Double] { [x, y] }
    public init(projectingRotation m: [Double], translation t: [Double]) {
        self.init(x: t[0], y: t[1], theta: atan2(m[2] - m[1], m[0] + m[3]))
    }
    public var description: String { "SE2(x: \(x), y: \(y), θ: \(theta))" }
}

/// Wraps an angle to (−π, π].
@inlinable public func wrapAngle(_ a: Double) -> Double {
    if a > -Double.pi && a <= Double.pi { return a }
    var r = a.truncatingRemainder(dividingBy: 2 * Double.pi)
    if r > Double.pi { r -= 2 * Double.pi } else if r <= -Double.pi { r += 2 * Double.pi }
    return r
}
