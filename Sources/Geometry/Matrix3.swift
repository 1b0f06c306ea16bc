/// A 3-vector of `Double` (points, translations, rotation vectors).
public typealias Vec3 = SIMD3<Double>

extension SIMD3 where Scalar == Double {
    /// Euclidean dot product.
    @inlinable public func dot(_ o: Vec3) -> Double { (self * o).sum() }
    /// Cross product `self × o`.
    @inlinable public func cross(_ o: Vec3) -> Vec3 {
        Vec3(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x)
    }
    /// Euclidean norm.
    @inlinable public var norm: Double { dot(self).squareRoot() }
    /// Squared Euclidean norm.
    @inlinable public var squaredNorm: Double { dot(self) }
    /// True when every component is finite.
    @inlinable public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite }
}

/// A 3×3 matrix of `Double`, stored by rows. A value type with the operations the pipeline needs.
public struct Mat3: Equatable, Sendable, CustomStringConvertible {
    /// Rows of the matrix.
    public var r0, r1, r2: Vec3

    /// Creates a matrix from its three rows.
    @inlinable public init(rows r0: Vec3, _ r1: Vec3, _ r2: Vec3) {
        self.r0 = r0; self.r1 = r1; self.r2 = r2
    }

    /// Creates a matrix from its three columns.
    @inlinable public init(columns c0: Vec3, _ c1: Vec3, _ c2: Vec3) {
        r0 = Vec3(c0.x, c1.x, c2.x); r1 = Vec3(c0.y, c1.y, c2.y); r2 = Vec3(c0.z, c1.z, c2.z)
    }

    /// Creates a matrix from 9 values in row-major order.
    @inlinable public init(_ e: [Double]) {
        precondition(e.count == 9, "Mat3 needs 9 values")
        r0 = Vec3(e[0], e[1], e[2]); r1 = Vec3(e[3], e[4], e[5]); r2 = Vec3(e[6], e[7], e[8])
    }

    /// A diagonal matrix.
    @inlinable public init(diagonal d: Vec3) {
        r0 = Vec3(d.x, 0, 0); r1 = Vec3(0, d.y, 0); r2 = Vec3(0, 0, d.z)
    }

    public static let identity = Mat3(diagonal: Vec3(1, 1, 1))
    public static let zero = Mat3(rows: .zero, .zero, .zero)

    /// The skew-symmetric matrix `[v]×` with `[v]× w = v × w`.
    @inlinable public static func skew(_ v: Vec3) -> Mat3 {
        Mat3(rows: Vec3(0, -v.z, v.y), Vec3(v.z, 0, -v.x), Vec3(-v.y, v.x, 0))
    }

    /// The outer product `a bᵀ`.
    @inlinable public static func outer(_ a: Vec3, _ b: Vec3) -> Mat3 {
        Mat3(rows: a.x * b, a.y * b, a.z * b)
    }

    /// Element access (row, column).
    @inlinable public subscript(i: Int, j: Int) -> Double {
        get { i == 0 ? r0[j] : (i == 1 ? r1[j] : r2[j]) }
        set {
            switch i {
            case 0: r0[j] = newValue
            case 1: r1[j] = newValue
            default: r2[j] = newValue
            }
        }
    }

    /// Column `j`.
    @inlinable public func column(_ j: Int) -> Vec3 { Vec3(r0[j], r1[j], r2[j]) }
    /// Row-major elements.
    public var elements: [Double] { [r0.x, r0.y, r0.z, r1.x, r1.y, r1.z, r2.x, r2.y, r2.z] }
    @inlinable public var transposed: Mat3 { Mat3(columns: r0, r1, r2) }
    @inlinable public var trace: Double { r0.x + r1.y + r2.z }
    @inlinable public var determinant: Double { r0.dot(r1.cross(r2)) }
    /// The vector `v` of a skew-symmetric matrix `[v]×` (uses the antisymmetric part).
    @inlinable public var vee: Vec3 {
        Vec3(r2.y - r1.z, r0.z - r2.x, r1.x - r0.y) * 0.5
    }
    /// Frobenius norm.
    public var frobeniusNorm: Double { (r0.squaredNorm + r1.squaredNorm + r2.squaredNorm).squareRoot() }
    /// True when all elements are finite.
    public var isFinite: Bool { r0.isFinite && r1.isFinite && r2.isFinite }

    /// The inverse, or `nil` when the matrix is singular (|det| ≤ 1e-300).
    @inlinable public var inverse: Mat3? {
        let c0 = r1.cross(r2), c1 = r2.cross(r0), c2 = r0.cross(r1)
        let det = r0.dot(c0)
        guard abs(det) > 1e-300 else { return nil }
        return Mat3(columns: c0, c1, c2) * (1 / det)
    }

    @inlinable public static func * (a: Mat3, v: Vec3) -> Vec3 {
        Vec3(a.r0.dot(v), a.r1.dot(v), a.r2.dot(v))
    }
    @inlinable public static func * (a: Mat3, b: Mat3) -> Mat3 {
        Mat3(rows: b.r0 * a.r0.x + b.r1 * a.r0.y + b.r2 * a.r0.z,
             b.r0 * a.r1.x + b.r1 * a.r1.y + b.r2 * a.r1.z,
             b.r0 * a.r2.x + b.r1 * a.r2.y + b.r2 * a.r2.z)
    }
    @inlinable public static func * (a: Mat3, s: Double) -> Mat3 { Mat3(rows: a.r0 * s, a.r1 * s, a.r2 * s) }
    @inlinable public static func * (s: Double, a: Mat3) -> Mat3 { a * s }
    @inlinable public static func + (a: Mat3, b: Mat3) -> Mat3 { Mat3(rows: a.r0 + b.r0, a.r1 + b.r1, a.r2 + b.r2) }
    @inlinable public static func - (a: Mat3, b: Mat3) -> Mat3 { Mat3(rows: a.r0 - b.r0, a.r1 - b.r1, a.r2 - b.r2) }
    @inlinable public static prefix func - (a: Mat3) -> Mat3 { Mat3(rows: -a.r0, -a.r1, -a.r2) }
    @inlinable public static func += (a: inout Mat3, b: Mat3) { a = a + b }

    public var description: String {
        "[\(r0.x) \(r0.y) \(r0.z); \(r1.x) \(r1.y) \(r1.z); \(r2.x) \(r2.y) \(r2.z)]"
    }

    /// Closest rotation in the Frobenius sense (polar decomposition by Newton iteration).
    /// Returns `nil` for matrices too far from a rotation to orthonormalise (det ≤ 0).
    public var orthonormalized: Mat3? {
        guard determinant > 1e-12 else { return nil }
        var x = self
        for _ in 0..<30 {
            guard let xi = x.inverse else { return nil }
            let next = (x + xi.transposed) * 0.5
            if (next - x).frobeniusNorm < 1e-15 { return next }
            x = next
        }
        return x
    }
}
