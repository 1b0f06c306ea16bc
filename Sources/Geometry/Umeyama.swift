/// Singular value decomposition of a 3×3 matrix, `A = U diag(s) Vᵀ`, by one-sided Jacobi
/// rotations (accurate to machine precision, also for small singular values).
/// Singular values are sorted in decreasing order; `U` and `V` are orthogonal (their
/// determinants may be −1).
public struct SVD3: Sendable {
    public var u: Mat3
    public var singularValues: Vec3
    public var v: Mat3

    public init(_ a: Mat3) {
        // Fixed-size storage (no heap allocation: RANSAC calls this per hypothesis).
        var col = InlineArray<3, Vec3>(repeating: .zero)
        col[0] = a.column(0); col[1] = a.column(1); col[2] = a.column(2)
        var vc = InlineArray<3, Vec3>(repeating: .zero)
        vc[0] = Vec3(1, 0, 0); vc[1] = Vec3(0, 1, 0); vc[2] = Vec3(0, 0, 1)
        for _ in 0..<60 {
            var rotated = false
            for pair in 0..<3 {
                let i = pair == 2 ? 1 : 0, j = pair == 0 ? 1 : 2   // (0, 1), (0, 2), (1, 2)
                let alpha = col[i].squaredNorm, beta = col[j].squaredNorm, gamma = col[i].dot(col[j])
                guard abs(gamma) > 1e-17 * (alpha * beta).squareRoot(), gamma != 0 else { continue }
                rotated = true
                let zeta = (beta - alpha) / (2 * gamma)
                let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
                let c = 1 / (1 + t * t).squareRoot(), s = c * t
                (col[i], col[j]) = (c * col[i] - s * col[j], s * col[i] + c * col[j])
                (vc[i], vc[j]) = (c * vc[i] - s * vc[j], s * vc[i] + c * vc[j])
            }
            if !rotated { break }
        }
        // Columns by decreasing norm (stable: equal norms keep their order).
        var order = InlineArray<3, Int>(repeating: 0)
        order[1] = 1; order[2] = 2
        for k in 1..<3 {
            var m = k
            while m > 0 && col[order[m]].norm > col[order[m - 1]].norm {
                order.swapAt(m, m - 1)
                m -= 1
            }
        }
        let sigma = Vec3(col[order[0]].norm, col[order[1]].norm, col[order[2]].norm)
        var uc = InlineArray<3, Vec3>(repeating: .zero)
        for k in 0..<3 { uc[k] = sigma[k] > 0 ? col[order[k]] / sigma[k] : Vec3.zero }
        // Complete U where singular values vanish (rank-deficient input).
        let tiny = Swift.max(sigma[0], Double.leastNormalMagnitude) * 1e-15
        if sigma[1] <= tiny {
            let helper = abs(uc[0].x) < 0.9 ? Vec3(1, 0, 0) : Vec3(0, 1, 0)
            let w = uc[0].cross(helper)
            uc[1] = w / w.norm
        }
        // Columns of small singular values are normalised rounding noise: rebuild U as an exactly
        // orthogonal basis (Gram–Schmidt, then the cross product with the computed column's sign).
        uc[1] = uc[1] - uc[0].dot(uc[1]) * uc[0]
        uc[1] = uc[1] / uc[1].norm
        let normal = uc[0].cross(uc[1])
        uc[2] = sigma[2] > tiny && uc[2].dot(normal) < 0 ? -normal : normal
        u = Mat3(columns: uc[0], uc[1], uc[2])
        singularValues = sigma
        v = Mat3(columns: vc[order[0]], vc[order[1]], vc[order[2]])
    }
}

/// The similarity that best maps points `x` onto points `y` in the least-squares sense
/// (Umeyama, PAMI 1991), exactly as `evo.core.geometry.umeyama_alignment` computes it:
/// `y ≈ s R x + t`, with `s = 1` unless `withScale`.
///
/// Throws `AlignmentError.degenerate` when fewer than `minimumRank` singular values of the covariance
/// exceed machine epsilon (evo's rank test uses 2), or when the point sets are empty or differ in
/// size. With `minimumRank` 1, collinear points are aligned too (the rotation about the line is
/// then arbitrary but leaves the aligned points unchanged), as TartanAir's tool does.
public func umeyamaAlignment(_ x: [Vec3], _ y: [Vec3], withScale: Bool, minimumRank: Int = 2) throws(AlignmentError) -> Sim3 {
    guard x.count == y.count, !x.isEmpty else {
        throw .degenerate("point sets of sizes \(x.count) and \(y.count)")
    }
    let n = Double(x.count)
    var meanX = Vec3.zero, meanY = Vec3.zero
    for p in x { meanX += p }
    for p in y { meanY += p }
    meanX /= n; meanY /= n
    var sigmaX = 0.0
    var cov = Mat3.zero
    for i in x.indices {
        let dx = x[i] - meanX, dy = y[i] - meanY
        sigmaX += dx.squaredNorm
        cov += Mat3.outer(dy, dx)
    }
    sigmaX /= n
    cov = cov * (1 / n)
    let svd = SVD3(cov)
    let d = svd.singularValues
    let significant = (d.x > Double.ulpOfOne ? 1 : 0) + (d.y > Double.ulpOfOne ? 1 : 0) + (d.z > Double.ulpOfOne ? 1 : 0)
    guard significant >= max(1, minimumRank) else {
        throw .degenerate("degenerate covariance rank (the positions do not span a plane), Umeyama alignment is not possible")
    }
    var sDiag = Vec3(1, 1, 1)
    if svd.u.determinant * svd.v.determinant < 0 { sDiag.z = -1 }
    let r = svd.u * Mat3(diagonal: sDiag) * svd.v.transposed
    let c = withScale ? (d * sDiag).sum() / sigmaX : 1
    let t = meanY - c * (r * meanX)
    return Sim3(rotation: SO3(uncheckedMatrix: r), translation: t, scale: c)
}

/// Why two point sets cannot be aligned.
public enum AlignmentError: Error, Equatable, CustomStringConvertible {
    case degenerate(String)
    public var description: String {
        switch self { case let .degenerate(why): why }
    }
}
