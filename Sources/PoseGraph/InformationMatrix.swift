import Foundation

/// Checks and repairs of a factor's information matrix Λ (row-major, n × n, symmetric).
///
/// An information matrix that is not positive definite makes `rᵀΛr` negative along some
/// direction: least squares then moves poses without bound to lower the objective, and a
/// "converged" result with a negative χ² is meaningless. Real benchmark files contain such
/// matrices, so every one is checked where it enters (reading, optimising).
public enum InformationMatrix {
    /// Whether `m` (n × n, row-major) is symmetric (to a relative 1e-9) and positive definite:
    /// a Cholesky factorisation with every pivot above 1e-12 × the largest entry (smaller
    /// pivots are rounding noise of a singular matrix).
    public static func isPositiveDefinite(_ m: [Double], _ n: Int) -> Bool {
        guard isSymmetric(m, n) else { return false }
        let scale = m.map(abs).max() ?? 0
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var d = m[j * n + j]
            for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
            guard d > 1e-12 * scale else { return false }
            let pivot = d.squareRoot()
            l[j * n + j] = pivot
            for i in (j + 1)..<n {
                var s = m[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / pivot
            }
        }
        return true
    }

    /// Whether `m` is symmetric and positive semi-definite (no eigenvalue below −1e-12 × the
    /// largest |eigenvalue|): `rᵀ m r ≥ 0` for every r, so a least-squares objective stays
    /// bounded below. Information on only some components (zeros elsewhere) passes.
    public static func isPositiveSemidefinite(_ m: [Double], _ n: Int) -> Bool {
        // The common case, definite, is settled by a Cholesky; the eigenvalues only for the rest.
        if isPositiveDefinite(m, n) { return true }
        guard isSymmetric(m, n) else { return false }
        let values = symmetricEigen(m, n).values
        let largest = values.map(abs).max() ?? 0
        return values.allSatisfy { $0 >= -1e-12 * largest }
    }

    private static func isSymmetric(_ m: [Double], _ n: Int) -> Bool {
        guard m.count == n * n, m.allSatisfy(\.isFinite) else { return false }
        let scale = m.map(abs).max() ?? 0
        for r in 0..<n { for c in (r + 1)..<n where abs(m[r * n + c] - m[c * n + r]) > 1e-9 * scale { return false } }
        return true
    }

    /// The positive-definite matrix nearest to `m`'s symmetric part in the Frobenius norm, with
    /// eigenvalues at least `relativeFloor` × the largest |eigenvalue| (Higham's clamp of the
    /// spectrum; the floor keeps the normal equations invertible). A direction with a negative
    /// eigenvalue ends up carrying almost no information, which is what such a matrix can honestly
    /// be said to know about it. Returns nil when `m` has non-finite entries or is all zero.
    public static func nearestPositiveDefinite(_ m: [Double], _ n: Int, relativeFloor: Double = 1e-9) -> [Double]? {
        guard m.count == n * n, m.allSatisfy(\.isFinite) else { return nil }
        var a = [Double](repeating: 0, count: n * n)
        for r in 0..<n { for c in 0..<n { a[r * n + c] = 0.5 * (m[r * n + c] + m[c * n + r]) } }
        let (values, vectors) = symmetricEigen(a, n)
        let largest = values.map(abs).max() ?? 0
        guard largest > 0 else { return nil }
        let clamped = values.map { max($0, relativeFloor * largest) }
        var out = [Double](repeating: 0, count: n * n)
        for r in 0..<n {
            for c in r..<n {
                var s = 0.0
                for k in 0..<n { s += vectors[r * n + k] * clamped[k] * vectors[c * n + k] }
                out[r * n + c] = s; out[c * n + r] = s
            }
        }
        return out
    }

    /// Eigenvalues and eigenvectors (columns of the row-major `vectors`) of a symmetric matrix by
    /// cyclic Jacobi rotations: exact to rounding for the 3 × 3 and 6 × 6 matrices of pose graphs.
    public static func symmetricEigen(_ m: [Double], _ n: Int) -> (values: [Double], vectors: [Double]) {
        // Scaled to unit largest entry so that the sums of squares below cannot overflow.
        let scale = m.map(abs).max() ?? 0
        guard scale > 0, scale.isFinite else { return (Array(repeating: scale.isFinite ? 0 : .nan, count: n), identityMatrix(n)) }
        var a = m.map { $0 / scale }
        var v = [Double](repeating: 0, count: n * n)
        for k in 0..<n { v[k * n + k] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for r in 0..<n { for c in 0..<n where r != c { off += a[r * n + c] * a[r * n + c] } }
            var total = 0.0
            for x in a { total += x * x }
            if off <= 1e-30 * total || off == 0 { break }
            for p in 0..<n { for q in (p + 1)..<n where a[p * n + q] != 0 { rotate(&a, &v, n, p, q) } }
        }
        return ((0..<n).map { a[$0 * n + $0] * scale }, v)
    }

    private static func identityMatrix(_ n: Int) -> [Double] {
        (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 }
    }

    /// One Jacobi rotation zeroing a[p][q] (Golub & Van Loan, Algorithm 8.4.1).
    private static func rotate(_ a: inout [Double], _ v: inout [Double], _ n: Int, _ p: Int, _ q: Int) {
        let apq = a[p * n + q]
        let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot(), s = t * c
        for k in 0..<n {
            let akp = a[k * n + p], akq = a[k * n + q]
            a[k * n + p] = c * akp - s * akq
            a[k * n + q] = s * akp + c * akq
        }
        for k in 0..<n {
            let apk = a[p * n + k], aqk = a[q * n + k]
            a[p * n + k] = c * apk - s * aqk
            a[q * n + k] = s * apk + c * aqk
        }
        for k in 0..<n {
            let vkp = v[k * n + p], vkq = v[k * n + q]
            v[k * n + p] = c * vkp - s * vkq
            v[k * n + q] = s * vkp + c * vkq
        }
    }
}
