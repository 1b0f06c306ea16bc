/// A 6-vector of `Double`: an se(3) tangent `(ρ, φ)` — translation part first, then rotation
/// (the Sophus / GTSAM-pose-graph ordering used throughout Parallax).
public struct Vec6: Equatable, Sendable, CustomStringConvertible {
    /// Translational part ρ (elements 0–2).
    public var head: Vec3
    /// Rotational part φ (elements 3–5).
    public var tail: Vec3

    @inlinable public init(_ head: Vec3, _ tail: Vec3) { self.head = head; self.tail = tail }
    @inlinable public init(_ e: [Double]) {
        precondition(e.count == 6, "Vec6 needs 6 values")
        head = Vec3(e[0], e[1], e[2]); tail = Vec3(e[3], e[4], e[5])
    }
    public static let zero = Vec6(.zero, .zero)

    @inlinable public subscript(i: Int) -> Double {
        get { i < 3 ? head[i] : tail[i - 3] }
        set { if i < 3 { head[i] = newValue } else { tail[i - 3] = newValue } }
    }
    public var elements: [Double] { [head.x, head.y, head.z, tail.x, tail.y, tail.z] }
    @inlinable public func dot(_ o: Vec6) -> Double { head.dot(o.head) + tail.dot(o.tail) }
    @inlinable public var norm: Double { dot(self).squareRoot() }
    @inlinable public static func + (a: Vec6, b: Vec6) -> Vec6 { Vec6(a.head + b.head, a.tail + b.tail) }
    @inlinable public static func - (a: Vec6, b: Vec6) -> Vec6 { Vec6(a.head - b.head, a.tail - b.tail) }
    @inlinable public static prefix func - (a: Vec6) -> Vec6 { Vec6(-a.head, -a.tail) }
    @inlinable public static func * (a: Vec6, s: Double) -> Vec6 { Vec6(a.head * s, a.tail * s) }
    @inlinable public static func * (s: Double, a: Vec6) -> Vec6 { a * s }
    public var description: String { "(\(elements.map { "\($0)" }.joined(separator: ", ")))" }
}

/// A 6×6 matrix of `Double`, row-major, stored inline (no heap allocation).
public struct Mat6: Sendable, Equatable, CustomStringConvertible {
    public var e: InlineArray<36, Double>

    @inlinable public init() { e = InlineArray(repeating: 0) }
    /// Creates a matrix from 36 row-major values.
    @inlinable public init(_ values: [Double]) {
        precondition(values.count == 36, "Mat6 needs 36 values")
        e = InlineArray(repeating: 0)
        for i in 0..<36 { e[i] = values[i] }
    }
    /// Creates a block matrix `[a b; c d]` from four 3×3 blocks.
    @inlinable public init(blocks a: Mat3, _ b: Mat3, _ c: Mat3, _ d: Mat3) {
        self.init()
        setBlock(0, 0, a); setBlock(0, 3, b); setBlock(3, 0, c); setBlock(3, 3, d)
    }
    /// A diagonal matrix.
    @inlinable public init(diagonal d: Vec6) {
        self.init()
        for i in 0..<6 { e[i * 7] = d[i] }
    }
    public static let identity = Mat6(diagonal: Vec6(Vec3(1, 1, 1), Vec3(1, 1, 1)))
    public static let zero = Mat6()

    @inlinable public static func == (a: Mat6, b: Mat6) -> Bool {
        for i in 0..<36 where a.e[i] != b.e[i] { return false }
        return true
    }

    @inlinable public subscript(i: Int, j: Int) -> Double {
        get { e[i * 6 + j] }
        set { e[i * 6 + j] = newValue }
    }
    /// The 3×3 block whose top-left element is (i, j).
    @inlinable public func block(_ i: Int, _ j: Int) -> Mat3 {
        Mat3(rows: Vec3(self[i, j], self[i, j + 1], self[i, j + 2]),
             Vec3(self[i + 1, j], self[i + 1, j + 1], self[i + 1, j + 2]),
             Vec3(self[i + 2, j], self[i + 2, j + 1], self[i + 2, j + 2]))
    }
    /// Writes the 3×3 block whose top-left element is (i, j).
    @inlinable public mutating func setBlock(_ i: Int, _ j: Int, _ m: Mat3) {
        for r in 0..<3 { for c in 0..<3 { self[i + r, j + c] = m[r, c] } }
    }
    /// Row-major elements.
    public var elements: [Double] { (0..<36).map { e[$0] } }
    public var transposed: Mat6 {
        var t = Mat6()
        for i in 0..<6 { for j in 0..<6 { t[j, i] = self[i, j] } }
        return t
    }
    public var isFinite: Bool { (0..<36).allSatisfy { e[$0].isFinite } }

    @inlinable public static func * (a: Mat6, b: Mat6) -> Mat6 {
        var c = Mat6()
        for i in 0..<6 {
            for k in 0..<6 {
                let aik = a[i, k]
                if aik == 0 { continue }
                for j in 0..<6 { c.e[i * 6 + j] += aik * b.e[k * 6 + j] }
            }
        }
        return c
    }
    @inlinable public static func * (a: Mat6, v: Vec6) -> Vec6 {
        var r = Vec6.zero
        for i in 0..<6 {
            var s = 0.0
            for j in 0..<6 { s += a[i, j] * v[j] }
            r[i] = s
        }
        return r
    }
    @inlinable public static func * (a: Mat6, s: Double) -> Mat6 {
        var c = a
        for i in 0..<36 { c.e[i] *= s }
        return c
    }
    @inlinable public static func + (a: Mat6, b: Mat6) -> Mat6 {
        var c = a
        for i in 0..<36 { c.e[i] += b.e[i] }
        return c
    }
    @inlinable public static func - (a: Mat6, b: Mat6) -> Mat6 {
        var c = a
        for i in 0..<36 { c.e[i] -= b.e[i] }
        return c
    }

    /// The inverse by Gauss–Jordan elimination with partial pivoting, or `nil` when singular.
    public var inverse: Mat6? {
        var a = self, inv = Mat6.identity
        for col in 0..<6 {
            var pivot = col
            for r in (col + 1)..<6 where abs(a[r, col]) > abs(a[pivot, col]) { pivot = r }
            guard abs(a[pivot, col]) > 1e-300 else { return nil }
            if pivot != col {
                for j in 0..<6 {
                    a.e.swapAt(col * 6 + j, pivot * 6 + j)
                    inv.e.swapAt(col * 6 + j, pivot * 6 + j)
                }
            }
            let d = 1 / a[col, col]
            for j in 0..<6 { a[col, j] *= d; inv[col, j] *= d }
            for r in 0..<6 where r != col {
                let f = a[r, col]
                if f == 0 { continue }
                for j in 0..<6 { a[r, j] -= f * a[col, j]; inv[r, j] -= f * inv[col, j] }
            }
        }
        return inv
    }

    public var description: String {
        (0..<6).map { i in (0..<6).map { "\(self[i, $0])" }.joined(separator: " ") }.joined(separator: "\n")
    }
}
