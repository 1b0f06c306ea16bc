/// A unit quaternion `w + xi + yj + zk` (Hamilton convention) representing a rotation.
///
/// Files store quaternions in different orders (TUM: `qx qy qz qw`, EuRoC: `qw qx qy qz`);
/// readers name the components explicitly, so no order is implied by this type.
public struct Quaternion: Equatable, Sendable, CustomStringConvertible {
    public var w, x, y, z: Double

    /// Creates a quaternion from raw components, without normalising.
    @inlinable public init(w: Double, x: Double, y: Double, z: Double) {
        self.w = w; self.x = x; self.y = y; self.z = z
    }

    /// Creates a unit quaternion by normalising the components; `nil` when the norm is not a
    /// positive finite number.
    public init?(normalizing w: Double, _ x: Double, _ y: Double, _ z: Double) {
        let n = (w * w + x * x + y * y + z * z).squareRoot()
        guard n.isFinite, n > 1e-12 else { return nil }
        self.init(w: w / n, x: x / n, y: y / n, z: z / n)
    }

    public static let identity = Quaternion(w: 1, x: 0, y: 0, z: 0)

    /// Vector part.
    @inlinable public var vector: Vec3 { Vec3(x, y, z) }
    @inlinable public var norm: Double { (w * w + x * x + y * y + z * z).squareRoot() }
    @inlinable public var conjugate: Quaternion { Quaternion(w: w, x: -x, y: -y, z: -z) }

    /// Hamilton product.
    @inlinable public static func * (a: Quaternion, b: Quaternion) -> Quaternion {
        Quaternion(w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
                   x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
                   y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
                   z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w)
    }

    /// The rotation matrix of this (unit) quaternion.
    @inlinable public var matrix: Mat3 {
        let xx = x * x, yy = y * y, zz = z * z, xy = x * y, xz = x * z, yz = y * z
        let wx = w * x, wy = w * y, wz = w * z
        return Mat3(rows: Vec3(1 - 2 * (yy + zz), 2 * (xy - wz), 2 * (xz + wy)),
                    Vec3(2 * (xy + wz), 1 - 2 * (xx + zz), 2 * (yz - wx)),
                    Vec3(2 * (xz - wy), 2 * (yz + wx), 1 - 2 * (xx + yy)))
    }

    /// The unit quaternion of a rotation matrix (Shepperd's method: stable for every angle).
    /// The result has `w ≥ 0`.
    public init(rotation m: Mat3) {
        let tr = m.trace
        var q: Quaternion
        if tr > 0 {
            let s = (tr + 1).squareRoot() * 2
            q = Quaternion(w: 0.25 * s, x: (m[2, 1] - m[1, 2]) / s, y: (m[0, 2] - m[2, 0]) / s, z: (m[1, 0] - m[0, 1]) / s)
        } else if m[0, 0] > m[1, 1] && m[0, 0] > m[2, 2] {
            let s = (1 + m[0, 0] - m[1, 1] - m[2, 2]).squareRoot() * 2
            q = Quaternion(w: (m[2, 1] - m[1, 2]) / s, x: 0.25 * s, y: (m[0, 1] + m[1, 0]) / s, z: (m[0, 2] + m[2, 0]) / s)
        } else if m[1, 1] > m[2, 2] {
            let s = (1 + m[1, 1] - m[0, 0] - m[2, 2]).squareRoot() * 2
            q = Quaternion(w: (m[0, 2] - m[2, 0]) / s, x: (m[0, 1] + m[1, 0]) / s, y: 0.25 * s, z: (m[1, 2] + m[2, 1]) / s)
        } else {
            let s = (1 + m[2, 2] - m[0, 0] - m[1, 1]).squareRoot() * 2
            q = Quaternion(w: (m[1, 0] - m[0, 1]) / s, x: (m[0, 2] + m[2, 0]) / s, y: (m[1, 2] + m[2, 1]) / s, z: 0.25 * s)
        }
        if q.w < 0 { q = Quaternion(w: -q.w, x: -q.x, y: -q.y, z: -q.z) }
        let n = q.norm
        self.init(w: q.w / n, x: q.x / n, y: q.y / n, z: q.z / n)
    }

    public var description: String { "Quaternion(w: \(w), x: \(x), y: \(y), z: \(z))" }
}
